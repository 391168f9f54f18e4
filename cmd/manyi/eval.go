package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"manyi/internal/errs"
	"manyi/internal/locale"
	"manyi/internal/scheme"
)

// evalStdin is where --facts - reads from; tests replace it.
var evalStdin io.Reader = os.Stdin

const evalUsage = `usage: manyi eval --scheme NAME|FILE --facts FILE.json|- [--format json|table] [--lang zh|en]

Computes scheme results from a facts file, without a database.
  --scheme  a built-in template (unit-monthly, survey-quarterly, dept-quarterly-weighted,
            maintainer-monthly, care-deductions) or a scheme YAML file
  --facts   {"subjects":[{"id":"牡丹处","periods":{"2026-10":{...}}}]}, or - for stdin
  --format  json (default) or table
  --lang    language of the table: zh (default) or en
See docs/schemes/README.md.
`

// runEval is `manyi eval`: it evaluates a scheme over a facts file and prints the results.
// Bad flags, a bad scheme and bad facts are returned as errors naming what is wrong.
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, evalUsage) }
	schemeArg := fs.String("scheme", "", "built-in template name or scheme YAML file")
	factsArg := fs.String("facts", "", "facts JSON file, or - for stdin")
	format := fs.String("format", "json", "json or table")
	langArg := fs.String("lang", "zh", "table language: zh or en")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	switch {
	case fs.NArg() > 0:
		return errs.New(errs.Invalid, "scheme.eval_args", strings.Join(fs.Args(), " "))
	case *schemeArg == "":
		return errs.New(errs.Invalid, "scheme.eval_flag_required", "--scheme")
	case *factsArg == "":
		return errs.New(errs.Invalid, "scheme.eval_flag_required", "--facts")
	case *format != "json" && *format != "table":
		return errs.New(errs.Invalid, "scheme.eval_bad_format", *format)
	}
	lang, ok := locale.Parse(*langArg)
	if !ok {
		return errs.New(errs.Invalid, "scheme.eval_bad_lang", *langArg)
	}

	s, err := loadScheme(*schemeArg)
	if err != nil {
		return err
	}
	data, err := readFacts(*factsArg)
	if err != nil {
		return err
	}
	facts, err := scheme.ParseFacts(data)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	results, err := s.Evaluate(facts...)
	if err != nil {
		return err
	}
	if *format == "table" {
		return writeTable(stdout, s, results, lang)
	}
	return writeJSON(stdout, s, results)
}

// loadScheme takes a built-in template by name, or else reads a YAML file.
func loadScheme(arg string) (*scheme.Scheme, error) {
	if s, err := scheme.Builtin(arg); err == nil {
		return s, nil
	} else if _, statErr := os.Stat(arg); statErr != nil && !strings.ContainsAny(arg, `/\.`) {
		return nil, err // neither a template nor a file: say which templates exist
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return nil, errs.New(errs.Invalid, "scheme.eval_read", arg, pathError(err))
	}
	return scheme.Parse(b)
}

func readFacts(arg string) ([]byte, error) {
	var b []byte
	var err error
	if arg == "-" {
		b, err = io.ReadAll(evalStdin)
	} else {
		b, err = os.ReadFile(arg)
	}
	if err != nil {
		return nil, errs.New(errs.Invalid, "scheme.eval_read", arg, pathError(err))
	}
	return b, nil
}

// pathError drops the path that *PathError repeats, since the message names it already.
func pathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// evalOutput is the JSON document manyi eval prints. Decimals are JSON strings ("89.8"), so no
// reader turns them into binary floats.
type evalOutput struct {
	Scheme  schemeRef       `json:"scheme"`
	Results []scheme.Result `json:"results"`
}

type schemeRef struct {
	Code    string      `json:"code"`
	Version int         `json:"version"`
	Name    scheme.Text `json:"name"`
}

func writeJSON(w io.Writer, s *scheme.Scheme, results []scheme.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // formulas' < and > stay readable
	return enc.Encode(evalOutput{schemeRef{s.Code, s.Version, s.Name}, results})
}

// writeTable prints one aligned row per subject and period, then each component's explanation.
func writeTable(w io.Writer, s *scheme.Scheme, results []scheme.Result, lang locale.Lang) error {
	zh := lang == locale.ZH
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	header := []string{pick("对象", "subject"), pick("期间", "period"), pick("状态", "status")}
	for _, c := range s.Components {
		header = append(header, c.Name.In(lang))
	}
	header = append(header, pick("总分", "total"), pick("等级", "grade"))
	for _, m := range s.Money {
		header = append(header, m.Name.In(lang)+pick("(元)", " (yuan)"))
	}
	header = append(header, pick("标记", "flags"))
	rows := [][]string{header}
	for _, r := range results {
		status := string(r.Status)
		if zh {
			status = statusZH[r.Status]
		}
		row := []string{r.Subject, r.Period, status}
		values := map[string]string{}
		for _, c := range r.Components {
			values[c.Code] = c.Value.String()
		}
		for _, c := range s.Components {
			row = append(row, dash(values[c.Code]))
		}
		total, grade := "", ""
		if r.Total != nil {
			total = r.Total.String()
		}
		if r.Grade != nil {
			grade = r.Grade.Name.In(lang)
		}
		row = append(row, dash(total), dash(grade))
		for _, m := range s.Money {
			amount := ""
			if a, ok := r.Money[m.Code]; ok {
				amount = a.String()
			}
			row = append(row, dash(amount))
		}
		rows = append(rows, append(row, dash(strings.Join(r.Flags, ","))))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s v%d\n\n", s.Name.In(lang), s.Code, s.Version)
	writeAligned(&b, rows)
	b.WriteString("\n")
	for _, r := range results {
		fmt.Fprintf(&b, "%s %s\n", r.Subject, r.Period)
		if r.Reason != nil {
			fmt.Fprintf(&b, "  %s\n", r.Reason.In(lang))
		}
		for _, c := range r.Components {
			fmt.Fprintf(&b, "  %s: %s\n", c.Name.In(lang), c.Explanation.In(lang))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var statusZH = map[scheme.Status]string{scheme.Scored: "已评分", scheme.NoOpinion: "不出具意见", scheme.Incomplete: "待补充"}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeAligned pads columns by display width, counting CJK characters as two columns, which
// text/tabwriter does not.
func writeAligned(b *strings.Builder, rows [][]string) {
	widths := map[int]int{}
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	for _, row := range rows {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteString("\n")
	}
}

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60,
			r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}
