"""Progress between two assessment rounds: `cpc-forms compare OLD NEW`.

sides.py reads each round (a scores.json, or returns scored first), changes.py compares them country by country
and section by section, html.py and json.py write progress.html and progress.json. cpc_forms/compare.py ties them
together for the command."""
