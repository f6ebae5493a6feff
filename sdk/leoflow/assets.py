"""Assets (Airflow 3) and Datasets (Airflow 2) are refused where they are created."""
from leoflow.errors import unsupported


class Asset:
    def __init__(self, *args, **kwargs):
        raise unsupported("Assets")


class AssetAlias(Asset):
    pass


class Dataset:
    def __init__(self, *args, **kwargs):
        raise unsupported("Datasets")
