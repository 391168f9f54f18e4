package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runEvalArgs runs `manyi eval` with args and returns stdout and the error.
func runEvalArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runEval(context.Background(), args, &out, &errOut)
	return out.String(), err
}

// writeFile writes content into a temporary file and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The whole JSON output of the §1 worked example, pinned.
func TestEvalJSONGolden(t *testing.T) {
	facts := writeFile(t, "facts.json", `{"subjects": [{"id": "牡丹处", "periods": {
  "2026-03": {"inspections": 2, "problems": 12, "survey": [20, 16], "complaints_valid": 0, "complaints_major": 0},
  "2026-10": {"inspections": 1, "problems": 3, "survey": [20,20,20,20,20,20,16,16,16,12],
              "complaints_valid": 1, "complaints_major": 0}}}]}`)
	out, err := runEvalArgs(t, "--scheme", "unit-monthly", "--facts", facts)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{
  "scheme": {
    "code": "unit-monthly",
    "version": 1,
    "name": {
      "zh": "客户满意度工作月度考评",
      "en": "Monthly unit customer-satisfaction assessment"
    }
  },
  "results": [
    {
      "subject": "牡丹处",
      "period": "2026-03",
      "scheme": "unit-monthly",
      "version": 1,
      "status": "scored",
      "components": [
        {
          "code": "standards",
          "name": {
            "zh": "服务工作标准执行情况",
            "en": "Service-standard execution"
          },
          "value": "38",
          "max": "50",
          "explanation": {
            "zh": "50 − 12 项问题 × 1 = 38(最低 0)",
            "en": "50 − 12 problems × 1 = 38 (floor 0)"
          }
        },
        {
          "code": "survey_score",
          "name": {
            "zh": "客户满意度调查",
            "en": "Satisfaction survey"
          },
          "value": "18",
          "max": "20",
          "explanation": {
            "zh": "2 份评价的档次分平均 = 18(很满意 1、基本满意 1、一般 0、不太满意 0、很不满意 0)",
            "en": "mean band points of 2 evaluations = 18 (very satisfied 1, basically satisfied 1, neutral 0, not very satisfied 0, very dissatisfied 0)"
          }
        },
        {
          "code": "complaints",
          "name": {
            "zh": "服务投诉",
            "en": "Complaints"
          },
          "value": "30",
          "max": "30",
          "explanation": {
            "zh": "30 − 0 起有效投诉 × 6 − 0 起重大投诉 × 12 = 30(最低 0)",
            "en": "30 − 0 valid × 6 − 0 major × 12 = 30 (floor 0)"
          }
        }
      ],
      "total": "86",
      "grade": {
        "code": "fail",
        "name": {
          "zh": "不合格",
          "en": "Fail"
        }
      },
      "flags": []
    },
    {
      "subject": "牡丹处",
      "period": "2026-10",
      "scheme": "unit-monthly",
      "version": 1,
      "status": "scored",
      "components": [
        {
          "code": "standards",
          "name": {
            "zh": "服务工作标准执行情况",
            "en": "Service-standard execution"
          },
          "value": "47",
          "max": "50",
          "explanation": {
            "zh": "50 − 3 项问题 × 1 = 47(最低 0)",
            "en": "50 − 3 problems × 1 = 47 (floor 0)"
          }
        },
        {
          "code": "survey_score",
          "name": {
            "zh": "客户满意度调查",
            "en": "Satisfaction survey"
          },
          "value": "18",
          "max": "20",
          "explanation": {
            "zh": "10 份评价的档次分平均 = 18(很满意 6、基本满意 3、一般 1、不太满意 0、很不满意 0)",
            "en": "mean band points of 10 evaluations = 18 (very satisfied 6, basically satisfied 3, neutral 1, not very satisfied 0, very dissatisfied 0)"
          }
        },
        {
          "code": "complaints",
          "name": {
            "zh": "服务投诉",
            "en": "Complaints"
          },
          "value": "24",
          "max": "30",
          "explanation": {
            "zh": "30 − 1 起有效投诉 × 6 − 0 起重大投诉 × 12 = 24(最低 0)",
            "en": "30 − 1 valid × 6 − 0 major × 12 = 24 (floor 0)"
          }
        }
      ],
      "total": "89",
      "grade": {
        "code": "fail",
        "name": {
          "zh": "不合格",
          "en": "Fail"
        }
      },
      "flags": [
        "year_end_ineligible"
      ]
    }
  ]
}
`
	if out != want {
		t.Errorf("output differs from the golden JSON:\n%s", out)
	}
}

// evalOut is the part of the output the example tests look at.
type evalOut struct {
	Results []struct {
		Subject    string  `json:"subject"`
		Period     string  `json:"period"`
		Status     string  `json:"status"`
		Total      *string `json:"total"`
		Grade      *struct{ Code string }
		Flags      []string          `json:"flags"`
		Money      map[string]string `json:"money"`
		Components []struct {
			Code  string `json:"code"`
			Value string `json:"value"`
		} `json:"components"`
	} `json:"results"`
}

// line renders a result as "subject period status total grade money… flags…".
func line(t *testing.T, out string) []string {
	t.Helper()
	var o evalOut
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	var lines []string
	for _, r := range o.Results {
		parts := []string{r.Subject, r.Period, r.Status}
		if r.Total != nil {
			parts = append(parts, "total="+*r.Total)
		}
		if r.Grade != nil {
			parts = append(parts, "grade="+r.Grade.Code)
		}
		for _, m := range []string{"reward", "penalty", "fine"} {
			if a, ok := r.Money[m]; ok {
				parts = append(parts, m+"="+a)
			}
		}
		for _, f := range r.Flags {
			parts = append(parts, "flag="+f)
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	return lines
}

// Every documented example runs, and reproduces the worked examples of docs/policies.md.
func TestEvalDocumentedExamples(t *testing.T) {
	tests := map[string][]string{
		"unit-monthly": {
			"牡丹处 2026-03 scored total=86 grade=fail",
			"牡丹处 2026-10 scored total=89 grade=fail flag=year_end_ineligible",
			"月季处 2026-03 no_opinion",
			"月季处 2026-10 incomplete",
		},
		"survey-quarterly": {
			"永馨园 2026-Q3 scored total=-6 fine=0",
			"牡丹处 2026-Q3 scored total=-5 fine=100",
		},
		"dept-quarterly-weighted": {
			"市场经营部 2026-Q1 scored total=89.8 grade=fail reward=0 penalty=5000",
			"储运中心 2026-Q1 scored total=99.6 grade=excellent reward=9200 penalty=0",
		},
		"maintainer-monthly": {
			"王师傅 2026-10 scored total=22.3",
			"王师傅 2026-11 no_opinion",
		},
		"care-deductions": {
			"护理员甲 2026-04 scored total=32 penalty=320 flag=base_salary_only",
			"护理员甲 2026-05 scored total=30 penalty=300 flag=base_salary_only flag=dismissal_review",
			"护理员甲 2026-06 scored total=2 penalty=20",
			"护理员乙 2026-04 scored total=0 penalty=0",
			"护理员乙 2026-05 scored total=3.5 penalty=35",
		},
	}
	for code, want := range tests {
		t.Run(code, func(t *testing.T) {
			facts := filepath.Join("..", "..", "docs", "schemes", code+".example.json")
			out, err := runEvalArgs(t, "--scheme", code, "--facts", facts)
			if err != nil {
				t.Fatal(err)
			}
			got := line(t, out)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, w := range []string{"79999", "00000001"} {
				if strings.Contains(out, w) {
					t.Errorf("output carries a binary-float artefact %q", w)
				}
			}
		})
	}
}

func TestEvalTable(t *testing.T) {
	facts := filepath.Join("..", "..", "docs", "schemes", "dept-quarterly-weighted.example.json")
	out, err := runEvalArgs(t, "--scheme", "dept-quarterly-weighted", "--facts", facts, "--format", "table", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	var header, row string
	for i, l := range lines {
		if strings.HasPrefix(l, "subject") {
			header, row = l, lines[i+1]
		}
	}
	if header == "" {
		t.Fatalf("no header line:\n%s", out)
	}
	for _, w := range []string{"89.8", "Fail", "5000", "92", "市场经营部"} {
		if !strings.Contains(row, w) {
			t.Errorf("row lacks %q: %s", w, row)
		}
	}
	// Columns line up: "total" in the header sits above the total in the row, counting CJK
	// characters as two columns.
	col := displayWidth(header[:strings.Index(header, "total")])
	if got := displayWidth(row[:strings.Index(row, "89.8")]); got != col {
		t.Errorf("total at column %d, header at %d:\n%s\n%s", got, col, header, row)
	}
	if !strings.Contains(out, "mean of 3 monthly self-checks 94 − spot-check penalty 2") {
		t.Errorf("table lacks the explanations:\n%s", out)
	}
	zh, err := runEvalArgs(t, "--scheme", "dept-quarterly-weighted", "--facts", facts, "--format", "table")
	if err != nil || !strings.Contains(zh, "不合格") || !strings.Contains(zh, "对象") {
		t.Errorf("zh table: %v\n%s", err, zh)
	}
}

func TestEvalSchemeFileAndStdin(t *testing.T) {
	scheme := writeFile(t, "s.yaml", `code: what-if
version: 3
name: {zh: 试算, en: What if}
subject: unit
period: year
facts:
  - {name: x, type: number}
components:
  - code: c
    name: {zh: 项, en: Item}
    formula: x * 0.1
    explain: {zh: "{x} × 0.1", en: "{x} × 0.1"}
total: c
rounding: {places: 1, mode: half_even}
`)
	old := evalStdin
	defer func() { evalStdin = old }()
	evalStdin = strings.NewReader(`{"subjects":[{"id":"A","periods":{"2026":{"x":898.5}}}]}`)
	out, err := runEvalArgs(t, "--scheme", scheme, "--facts", "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"total": "89.8"`) || !strings.Contains(out, `"version": 3`) {
		t.Errorf("output:\n%s", out)
	}
}

func TestEvalRefusals(t *testing.T) {
	good := writeFile(t, "good.json", `{"subjects":[{"id":"A","periods":{"2026-10":{"inspections":1,"survey":[20]}}}]}`)
	badScheme := writeFile(t, "bad.yaml", "code: x\nversion: 1\nname: {zh: x, en: x}\nsubject: unit\nperiod: month\nfacts: []\n"+
		"components:\n  - {code: c, name: {zh: c, en: c}, formula: \"1 +\\n nope\", explain: {zh: c, en: c}}\ntotal: c\nrounding: {places: 0, mode: half_up}\n")
	tests := []struct {
		name  string
		args  []string
		facts string // written to a file and passed as --facts when set
		want  string
	}{
		{"no scheme", []string{"--facts", good}, "", "the flag --scheme is required"},
		{"no facts", []string{"--scheme", "unit-monthly"}, "", "the flag --facts is required"},
		{"bad format", []string{"--scheme", "unit-monthly", "--facts", good, "--format", "xml"}, "", "the format “xml” is not valid"},
		{"bad flag", []string{"--shceme", "x"}, "", "flag provided but not defined"},
		{"stray argument", []string{"--scheme", "unit-monthly", "--facts", good, "extra"}, "", "unexpected arguments: extra"},
		{"unknown template", []string{"--scheme", "unit-yearly", "--facts", good}, "", "There is no built-in scheme template “unit-yearly”"},
		{"missing scheme file", []string{"--scheme", "nope/s.yaml", "--facts", good}, "", "cannot read the file nope/s.yaml"},
		{"missing facts file", []string{"--scheme", "unit-monthly", "--facts", "nope.json"}, "", "cannot read the file nope.json"},
		{"bad formula in a scheme file", []string{"--scheme", badScheme, "--facts", good}, "",
			"components.c.formula: unknown name “nope” at line 2, column 2"},
		{"facts not JSON", []string{"--scheme", "unit-monthly"}, `{"subjects": [`, "facts file is not valid JSON"},
		{"unknown fact", []string{"--scheme", "unit-monthly"}, `{"subjects":[{"id":"牡丹处","periods":{"2026-10":{"complaints":1}}}]}`,
			"subject “牡丹处”, period 2026-10: unknown fact “complaints”"},
		{"wrong type", []string{"--scheme", "unit-monthly"}, `{"subjects":[{"id":"牡丹处","periods":{"2026-10":{"survey":"good"}}}]}`,
			"subject “牡丹处”, period 2026-10, fact survey: wrong type, expected list"},
		{"negative count", []string{"--scheme", "unit-monthly"}, `{"subjects":[{"id":"牡丹处","periods":{"2026-10":{"complaints_valid":-2}}}]}`,
			"subject “牡丹处”, period 2026-10, fact complaints_valid: a count cannot be negative (-2)"},
		{"not a period", []string{"--scheme", "unit-monthly"}, `{"subjects":[{"id":"牡丹处","periods":{"October":{}}}]}`,
			"subject “牡丹处”: “October” is not a month period (e.g. 2026-03)"},
		{"a quarter for a monthly scheme", []string{"--scheme", "unit-monthly"}, `{"subjects":[{"id":"牡丹处","periods":{"2026-Q4":{}}}]}`,
			"“2026-Q4” is not a month period"},
		{"weights missing a key", []string{"--scheme", "dept-quarterly-weighted"},
			`{"subjects":[{"id":"D","periods":{"2026-Q1":{"weights":{"self":100},"self_checks":{"2026-01":90},"questionnaire":90}}}]}`,
			"subject “D”, period 2026-Q1, fact weights.survey: this key is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.facts != "" {
				args = append(args, "--facts", writeFile(t, "facts.json", tt.facts))
			}
			out, err := runEvalArgs(t, args...)
			if err == nil {
				t.Fatalf("accepted; output:\n%s", out)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
			if out != "" {
				t.Errorf("a refused run printed output:\n%s", out)
			}
		})
	}
}

func TestEvalHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runEval(context.Background(), []string{"-h"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "usage: manyi eval") {
		t.Errorf("help: %q", errOut.String())
	}
}
