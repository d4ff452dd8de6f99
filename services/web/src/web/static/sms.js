// SMS length in fragments, counted exactly as the campaign service counts them for the review
// (libs/nhs/src/cohort_nhs/sms.py; tests/unit/test_sms_js.py runs both on
// the same texts). GSM 03.38: 160 characters in one message, 153 each when split, extension
// characters count two; any other character makes it UCS-2: 70 in one, 67 each.
(function (root) {
  'use strict';
  var GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
  var GSM_EXTENSION = '^{}\\[~]|€';
  var PLACEHOLDER = /\(\(\s*([^()]*?)\s*\)\)/g;
  var KNOWN = ['firstname', 'lastname', 'practicename', 'link'];
  var REPLACEMENTS = {};
  function map(chars, to) { for (var i = 0; i < chars.length; i++) REPLACEMENTS[chars[i]] = to; }
  map('\u2018\u2019\u201a\u201b\u2032\u00b4`', "'");
  map('\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb', '"');
  map('\u2010\u2011\u2012\u2013\u2014\u2015\u2212', '-');
  map('\u00a0\u202f\u2007\t', ' ');
  REPLACEMENTS['\u2026'] = '...';
  REPLACEMENTS['\u0141'] = 'L';
  REPLACEMENTS['\u0142'] = 'l';
  REPLACEMENTS['\u2022'] = '-';

  function isGsmChar(ch) { return GSM_BASIC.indexOf(ch) >= 0 || GSM_EXTENSION.indexOf(ch) >= 0; }

  function size(text) {
    var gsm = true, extension = 0;
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (GSM_EXTENSION.indexOf(ch) >= 0) extension++;
      else if (GSM_BASIC.indexOf(ch) < 0) { gsm = false; break; }
    }
    // text.length counts UTF-16 code units, as the service does for UCS-2 (every GSM
    // character is a single unit, so for GSM text it is the character count).
    var length = gsm ? text.length + extension : text.length;
    var single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    return {
      length: length,
      fragments: length === 0 ? 0 : length <= single ? 1 : Math.ceil(length / multi),
      unicode: !gsm
    };
  }

  function suggestion(ch) {
    if (Object.prototype.hasOwnProperty.call(REPLACEMENTS, ch)) return REPLACEMENTS[ch];
    var plain = ch.normalize('NFKD').replace(/\p{M}/gu, '');
    if (plain && plain !== ch && Array.from(plain).every(isGsmChar)) return plain;
    return null;
  }

  function nonGsm(text) {
    var seen = {}, found = [];
    Array.from(text).forEach(function (ch) {
      if (!isGsmChar(ch) && !seen[ch]) { seen[ch] = true; found.push({ character: ch, suggestion: suggestion(ch) }); }
    });
    return found;
  }

  function unknownPlaceholders(text) {
    var found = [], match;
    PLACEHOLDER.lastIndex = 0;
    while ((match = PLACEHOLDER.exec(text)) !== null) {
      var name = match[1].replace(/[\s_-]/g, '').toLowerCase();
      if (KNOWN.indexOf(name) < 0 && found.indexOf(match[1]) < 0) found.push(match[1]);
    }
    return found.sort();
  }

  var api = { size: size, nonGsm: nonGsm, unknownPlaceholders: unknownPlaceholders };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  else root.CohortSms = api;
})(this);
