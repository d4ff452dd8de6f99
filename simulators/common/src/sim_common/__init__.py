"""What the simulators share: faults switched on for a while, a token bucket, serving.

The simulators are stand-ins for other people's services, so this knows nothing of Cohort's
code (an import-linter contract keeps it so)."""
