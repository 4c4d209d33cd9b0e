class QueryAPI:
    pass
