package jobs

// ForTest returns opts for a runner in a test: River's maintenance services start at once
// instead of after a random delay.
func ForTest(opts Options) Options {
	opts.testOnly = true
	return opts
}
