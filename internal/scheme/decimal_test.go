package scheme

import (
	"encoding/json"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDecimalExact(t *testing.T) {
	d := func(s string) Decimal { return MustDecimal(s) }
	must := func(x Decimal, err error) Decimal {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tests := []struct {
		got  Decimal
		want string
	}{
		// The sums that float64 gets wrong.
		{must(d("0.1").Add(d("0.2"))), "0.3"},
		{must(d("92").Mul(d("0.4"))), "36.8"},
		{must(must(must(d("36.8").Add(d("30"))).Add(d("24"))).Sub(d("1"))), "89.8"},
		{must(d("386").Quo(d("20"))), "19.3"},
		{must(d("20").Mul(d("0.15"))), "3"},
		{must(d("1.10").Add(d("2.20"))), "3.3"},
		{d("-0"), "0"},
		{d("5e3"), "5000"},
		{d("0.000"), "0"},
		{must(d("1").Quo(d("3"))), "0.3333333333333333333333333333333333"},
	}
	for _, tt := range tests {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
	if _, err := d("1").Quo(Decimal{}); err == nil {
		t.Error("division by zero accepted")
	}
}

func TestDecimalRound(t *testing.T) {
	tests := []struct {
		x      string
		places int32
		mode   string
		want   string
	}{
		{"17.335", 2, "half_up", "17.34"},
		{"17.325", 2, "half_even", "17.32"},
		{"17.339", 2, "down", "17.33"},
		{"-17.335", 2, "half_up", "-17.34"},
		{"-0.001", 2, "half_up", "0"},
		{"89.8", 2, "half_up", "89.8"},
		{"94.995", 2, "half_up", "95"},
		{"22.5", 0, "half_even", "22"},
		{"22.5", 0, "half_up", "23"},
		{"0.1", 0, "ceiling", "1"},
	}
	for _, tt := range tests {
		got, err := MustDecimal(tt.x).Round(tt.places, tt.mode)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != tt.want {
			t.Errorf("Round(%s, %d, %s) = %s, want %s", tt.x, tt.places, tt.mode, got, tt.want)
		}
	}
}

func TestParseDecimalRefusals(t *testing.T) {
	for _, s := range []string{"", "abc", "NaN", "Inf", "-Infinity", "1e999", "1e-999", "123456789012345678901", "1,5", "0x10"} {
		if d, err := ParseDecimal(s); err == nil {
			t.Errorf("ParseDecimal(%q) = %s, want an error", s, d)
		}
	}
}

func TestDecimalEncoding(t *testing.T) {
	var v struct {
		A Decimal `json:"a"`
		B Decimal `json:"b"`
	}
	// Numbers are read from their text, never through float64.
	if err := json.Unmarshal([]byte(`{"a": 89.8, "b": "0.30000000000000000001"}`), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"a":"89.8","b":"0.30000000000000000001"}` {
		t.Errorf("JSON %s", b)
	}
	var y struct{ A, B Decimal }
	if err := yaml.Unmarshal([]byte("a: 0.15\nb: 30000\n"), &y); err != nil {
		t.Fatal(err)
	}
	out, _ := yaml.Marshal(y)
	if string(out) != "a: 0.15\nb: 30000\n" {
		t.Errorf("YAML %q", out)
	}
	if err := yaml.Unmarshal([]byte("a: [1]\n"), &y); err == nil {
		t.Error("YAML list accepted as a number")
	}
}
