#!/usr/bin/env python3
"""Maintainers: pin the SHA-512 of every Kafka jar in kafkalab/resources/digests-VERSION.txt.

Run after `kafkalab fetch --source maven [--kafka 4]` (which uses `mvn -C`): each jar of the cached Kafka
must have a byte-identical copy in ~/.m2/repository whose SHA-1 equals the .sha1 Maven Central published
beside it.

    python scripts/pin_digests.py [--kafka 3.9|4] [LIBS_DIR]
"""
import argparse
from pathlib import Path

from kafkalab import distribution

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kafka", default=None, help="3.9 (default) or 4")
    parser.add_argument("libs", nargs="?", type=Path)
    args = parser.parse_args()
    version = distribution.resolve_version(args.kafka)
    print(f"wrote {distribution.pin(args.libs, version=version)}")
