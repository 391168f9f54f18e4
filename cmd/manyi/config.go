package main

import (
	"flag"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"manyi/internal/web"
)

// Config is everything manyi serve can be told, from flags or the environment.
type Config struct {
	Addr          string
	DB            string
	Demo          bool
	AdminPassword string // from MANYI_ADMIN_PASSWORD only: a flag would show in ps
	LogFormat     string
	LogLevel      string
	SecureCookies bool
	NoJobs        bool
	// TrustedProxies lists, comma-separated, the CIDRs of load balancers whose
	// X-Forwarded-For / X-Real-IP name the client (web.ParseTrustedProxies).
	TrustedProxies string
	// Limits are the public pages' rate limits per client.
	Limits web.Limits
	// Chromium is the headless Chromium that prints reports to PDF; "" looks for it on PATH.
	Chromium string
}

// DefaultConfig is the configuration of a fresh machine: a local SQLite file, localhost.
func DefaultConfig() Config {
	return Config{Addr: "127.0.0.1:8080", DB: "manyi.db", LogFormat: "text", LogLevel: "info", Limits: web.DefaultLimits()}
}

// envOr returns the environment variable's value, or def.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err == nil {
			return n
		}
	}
	return def
}

func envBool(name string, def bool) bool {
	if v, ok := os.LookupEnv(name); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err == nil {
			return b
		}
	}
	return def
}

// flags registers the options on fs, with the environment's values as defaults so that a
// flag given on the command line wins over the environment, which wins over the default.
func (c *Config) flags(fs *flag.FlagSet, serve bool) {
	d := DefaultConfig()
	fs.StringVar(&c.DB, "db", envOr("MANYI_DB", d.DB), "database: an SQLite file path or a postgres:// URL (MANYI_DB)")
	if !serve {
		return
	}
	fs.StringVar(&c.Addr, "addr", envOr("MANYI_ADDR", d.Addr), "listen address (MANYI_ADDR)")
	fs.BoolVar(&c.Demo, "demo", envBool("MANYI_DEMO", false), "load demo data into an empty database (MANYI_DEMO)")
	fs.StringVar(&c.LogFormat, "log-format", envOr("MANYI_LOG_FORMAT", d.LogFormat), "log format: text or json (MANYI_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("MANYI_LOG_LEVEL", d.LogLevel), "log level: debug, info, warn, error (MANYI_LOG_LEVEL)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", envBool("MANYI_SECURE_COOKIES", false), "always mark cookies Secure, e.g. behind a TLS proxy that does not send X-Forwarded-Proto (MANYI_SECURE_COOKIES)")
	fs.BoolVar(&c.NoJobs, "no-jobs", envBool("MANYI_NO_JOBS", false), "do not run background jobs in this instance (MANYI_NO_JOBS)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", envOr("MANYI_TRUSTED_PROXIES", ""), "comma-separated CIDRs of load balancers whose X-Forwarded-For / X-Real-IP name the client (MANYI_TRUSTED_PROXIES)")
	fs.IntVar(&c.Limits.AnswersPerHour, "limit-answers-per-hour", envInt("MANYI_LIMIT_ANSWERS_PER_HOUR", d.Limits.AnswersPerHour), "survey answers stored per client per hour (MANYI_LIMIT_ANSWERS_PER_HOUR)")
	fs.IntVar(&c.Limits.ComplaintsPerHour, "limit-complaints-per-hour", envInt("MANYI_LIMIT_COMPLAINTS_PER_HOUR", d.Limits.ComplaintsPerHour), "public complaints stored per client per hour (MANYI_LIMIT_COMPLAINTS_PER_HOUR)")
	fs.IntVar(&c.Limits.SurveyPerMinute, "limit-survey-per-minute", envInt("MANYI_LIMIT_SURVEY_PER_MINUTE", d.Limits.SurveyPerMinute), "requests to the public survey pages per client per minute (MANYI_LIMIT_SURVEY_PER_MINUTE)")
	fs.IntVar(&c.Limits.TrackPerMinute, "limit-track-per-minute", envInt("MANYI_LIMIT_TRACK_PER_MINUTE", d.Limits.TrackPerMinute), "complaint tracking lookups and answers per client per minute (MANYI_LIMIT_TRACK_PER_MINUTE)")
	fs.IntVar(&c.Limits.ComplaintsPerMinute, "limit-complain-per-minute", envInt("MANYI_LIMIT_COMPLAIN_PER_MINUTE", d.Limits.ComplaintsPerMinute), "requests to the public complaint form, and to the booking form, per client per minute (MANYI_LIMIT_COMPLAIN_PER_MINUTE)")
	fs.IntVar(&c.Limits.BookingsPerHour, "limit-bookings-per-hour", envInt("MANYI_LIMIT_BOOKINGS_PER_HOUR", d.Limits.BookingsPerHour), "public service bookings stored per client per hour (MANYI_LIMIT_BOOKINGS_PER_HOUR)")
	fs.StringVar(&c.Chromium, "chromium", envOr("MANYI_CHROMIUM", ""), "path of the Chromium that prints reports to PDF; empty looks for chromium on PATH (MANYI_CHROMIUM)")
	c.AdminPassword = os.Getenv("MANYI_ADMIN_PASSWORD")
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
