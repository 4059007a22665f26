"""The rules, one module per subject. Importing this package registers them all."""

from ssjpub.rules.checks import checklist, choice, directories, draws, plans, prelottery, randomness, results  # noqa: F401
