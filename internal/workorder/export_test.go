package workorder

// SetGenerateHook lets tests stand in a crash half-way through a draw.
func SetGenerateHook(f func(inserted int) error) func() {
	generateHook = f
	return func() { generateHook = nil }
}
