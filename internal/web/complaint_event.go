package web

import (
	"strings"

	"manyi/internal/complaint"
	"manyi/internal/locale"
)

// complaintEventNote shows a timeline note in the reader's language: some notes are codes
// (the channel of a registration, the kind of a reminder, the class of a classification),
// which a clerk should never see raw.
func complaintEventNote(lang locale.Lang, e complaint.Event) string {
	switch {
	case e.Action == "register" && locale.Has("channel."+e.Note):
		return locale.T(lang, "channel."+e.Note)
	case locale.Has("notify." + e.Note):
		return locale.T(lang, "notify."+e.Note)
	case e.Action == "classify":
		if class, reason, ok := strings.Cut(e.Note, ": "); ok && locale.Has("class."+class) {
			return locale.T(lang, "class."+class) + " · " + reason
		}
	}
	return e.Note
}
