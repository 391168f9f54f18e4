package report

import (
	"context"

	"manyi/internal/access"
)

// Meetings is where the quarterly report reads the conclusions of the quarter's quality
// analysis meeting (10th of the quarter's first month). The meeting record is its own area;
// until it is wired into Env the report's section shows that no meeting is recorded.
type Meetings interface {
	Conclusions(ctx context.Context, actor access.Principal, quarter string) (Meeting, error)
}

// Meeting is a recorded meeting as the report prints it.
type Meeting struct {
	Held        string // the day it was held, "" when no meeting is recorded
	Href        string // the meeting record's page
	Conclusions []Conclusion
}

// Conclusion is one problem the meeting analysed, its cause and the remedy decided.
type Conclusion struct {
	Problem, Cause, Remedy, Owner, Due string
	Href                               string // the improvement item the remedy became, if any
}
