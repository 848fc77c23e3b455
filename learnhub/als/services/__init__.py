"""ALS services by concern (import the module you need; nothing is re-exported here).

Services never commit: the request, CLI command or job commits once (learnhub.transactions).
"""
