package demo

import (
	"fmt"
	"strings"
)

// The generators draw from fixed seeds, so every load of the demo produces the same names and
// phone numbers in the same places: screenshots, documentation and bug reports stay valid.
const (
	nameSeed  = 2026
	phoneSeed = 2027
)

// sequence is SplitMix64: written out here rather than taken from math/rand so that the
// demo's names cannot change with a Go release.
type sequence struct{ state uint64 }

// intN returns a number in [0, n); the modulo bias is irrelevant for picking names.
func (q *sequence) intN(n int) int {
	q.state += 0x9e3779b97f4a7c15
	z := q.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return int(z % uint64(n))
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
	givens   = strings.Fields(`伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 华 斌 鹏 辉 婷 琳 红 刚
		秀英 建华 建国 志强 桂英 玉兰 海燕 文博 子涵 浩然 宇轩 欣怡 晓东 晓燕 春梅 红霞 立新 国强
		永刚 德明 淑珍 丽娟 凤英 海涛 志刚 秀兰 俊杰 雪梅 文静 嘉怡 思远 振华 卫东 小龙 佳琪 晨阳`)
	// Mobile prefixes of the three carriers; the eight digits after them are random.
	phonePrefixes = strings.Fields("133 135 136 137 138 139 150 151 152 153 158 159 177 180 181 186 187 188 189")
)

// namer hands out distinct plausible Chinese names.
type namer struct {
	r    *sequence
	used map[string]bool
}

func newNamer(reserved []string) *namer {
	n := &namer{r: &sequence{nameSeed}, used: map[string]bool{}}
	for _, s := range reserved {
		n.used[s] = true
	}
	return n
}

func (n *namer) next() string {
	for {
		s := string(surnames[n.r.intN(len(surnames))]) + givens[n.r.intN(len(givens))]
		if !n.used[s] {
			n.used[s] = true
			return s
		}
	}
}

// phoner hands out distinct 11-digit mobile numbers, which the UI masks as 138****1234.
type phoner struct {
	r    *sequence
	used map[string]bool
}

func newPhoner() *phoner {
	return &phoner{r: &sequence{phoneSeed}, used: map[string]bool{}}
}

func (p *phoner) next() string {
	for {
		s := fmt.Sprintf("%s%08d", phonePrefixes[p.r.intN(len(phonePrefixes))], p.r.intN(100_000_000))
		if !p.used[s] {
			p.used[s] = true
			return s
		}
	}
}
