"""Static files in production: hashed names, gzip copies, a year of caching (whitenoise)."""

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(rules: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(rule for rule in rules if "sourceMappingURL" not in str(rule))


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Whitenoise's manifest storage, leaving source-map comments alone.

    The vendored minified files (Tabler) name source maps that `make install` does not copy, and
    Django's manifest storage refuses to collect a file whose referenced map is missing.
    """

    patterns = tuple(
        (glob, _without_source_maps(rules))
        for glob, rules in CompressedManifestStaticFilesStorage.patterns
    )
