"""Content requests (SPEC §2.8): the use cases (`requests`, `workflow`,
`ratings`), the shared steps they take (`store`) and the board's reads
(`reads`)."""
