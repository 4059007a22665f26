"""Results through Excel: `ssjpub results-template` writes a task's workbook (template), staff fill
it in, `ssjpub import-results` turns it into results/<agency>/<year>/<task>.yaml (load)."""
