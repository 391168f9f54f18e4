package store

// SetBatchChunk changes how many transactions a batch commits at once, for a test.
func SetBatchChunk(d Dialect, n int) (restore func()) {
	old := batchChunk[d]
	batchChunk[d] = n
	return func() { batchChunk[d] = old }
}
