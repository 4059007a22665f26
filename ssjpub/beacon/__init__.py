"""Public randomness beacons that anyone can check offline (today: drand quicknet, ssjpub.beacon.drand)."""
