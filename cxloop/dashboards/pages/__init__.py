"""What each dashboard shows, assembled from the reads in queries into cards, tables and charts.

A package since it passed ~1,000 lines: `base` (the page, its headline cards and trend), `people`
(an employee, a unit, an organisation), `analyses` (channel × journey type, contact impact,
moments of truth, response times) and `chain` (the chain and its journey types). Import from the
module that builds the page.
"""
