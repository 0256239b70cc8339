#!/bin/sh
# Everything tk provision and tk up plan from, in one round trip (run in the
# host lock's own round trip as soon as the lock is held): the engine's slow
# queries start first, in the background, while check-facts.sh reads what
# tk check needs; engine-facts.sh then reads the engine's state and what the
# background queries printed. Read-only. Sections parsed by
# src/facts/host-facts.ts.
# tk:include engine-facts-start.sh
# tk:include check-facts.sh
# tk:include apt-sources-facts.sh
# tk:include engine-facts.sh
