"""Validation of dag, task and group ids (Airflow's KEY_REGEX rule)."""


def validate_key(key, max_length=250):
    if not isinstance(key, str):
        raise TypeError(f"The key has to be a string and is {type(key)}:{key}")
    if len(key) > max_length:
        raise ValueError(f"The key: {key} has to be less than {max_length} characters")
    if not key or not all(ch.isalnum() or ch in "_.-" for ch in key):
        raise ValueError(
            f"The key {key!r} has to be made of alphanumeric characters, dashes, dots and underscores exclusively"
        )
