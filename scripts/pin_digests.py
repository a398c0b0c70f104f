#!/usr/bin/env python3
"""Maintainers: pin the SHA-512 of every Kafka jar in kafkalab/resources/digests-VERSION.txt.

Run after `kafkalab fetch --source maven` (which uses `mvn -C`): each jar of the cached Kafka must have a
byte-identical copy in ~/.m2/repository whose SHA-1 equals the .sha1 Maven Central published beside it.

    python scripts/pin_digests.py [LIBS_DIR]
"""
import sys
from pathlib import Path

from kafkalab import distribution

if __name__ == "__main__":
    libs = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(f"wrote {distribution.pin(libs)}")
