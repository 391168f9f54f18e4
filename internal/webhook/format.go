package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"manyi/internal/errs"
	"manyi/internal/locale"
)

// Formats of a delivery's body. A team that works in a WeCom (企业微信) or DingTalk (钉钉)
// group gets its events there as a group robot's markdown message, without another system
// in between; the robots accept only their own message JSON, so the format is chosen per
// webhook.
const (
	FormatManyi    = "manyi"    // the event JSON, signed with X-Manyi-Signature
	FormatWeCom    = "wecom"    // {"msgtype":"markdown","markdown":{"content":…}}
	FormatDingTalk = "dingtalk" // {"msgtype":"markdown","markdown":{"title":…,"text":…}}
)

// Formats lists the formats, the default first.
var Formats = []string{FormatManyi, FormatWeCom, FormatDingTalk}

// checkFormat normalises the format and checks the secret against it: the manyi format signs
// every delivery and needs a secret; a DingTalk robot's signing (加签) is optional, so its
// secret may be empty; a WeCom robot has no signing (the key in its URL is the credential),
// so a secret there would be a promise nothing keeps.
func checkFormat(format, secret string) (string, error) {
	switch strings.TrimSpace(format) {
	case "", FormatManyi:
		if secret == "" {
			return "", errs.Required("secret")
		}
		return FormatManyi, nil
	case FormatDingTalk:
		return FormatDingTalk, nil
	case FormatWeCom:
		if secret != "" {
			return "", errs.Field("secret", "webhook.wecom_no_secret")
		}
		return FormatWeCom, nil
	}
	return "", errs.Field("format", "webhook.bad_format", strings.Join(Formats, ", "))
}

// china is the organisation's time zone, in which group messages show the time. China has
// kept UTC+8 without daylight saving since 1991, so a fixed zone needs no tz database.
var china = time.FixedZone("CST", 8*3600)

// robotText is the markdown of a group message about an event, in zh-CN (the groups are the
// organisation's own staff). Like every delivery it names what happened and where, never the
// record's data.
func robotText(e event) (title, text string) {
	label := func(prefix, key string) string {
		if locale.Has(prefix + key) {
			return locale.T(locale.ZH, prefix+key)
		}
		return key
	}
	entity, action, _ := strings.Cut(e.Event, ".")
	title = fmt.Sprintf("满意度系统：%s%s", label("entity.", entity), label("action.", action))
	lines := []string{
		"### " + title,
		"- 事件：" + e.Event,
		"- 记录编号：" + e.EntityID,
	}
	if e.UnitID != 0 {
		lines = append(lines, "- 单位编号："+strconv.FormatInt(e.UnitID, 10))
	}
	lines = append(lines,
		"- 时间："+e.At.In(china).Format("2006-01-02 15:04")+"（北京时间）",
		"",
		"> 详情请登录系统查看（审计日志编号 "+strconv.FormatInt(e.ID, 10)+"）",
	)
	return title, strings.Join(lines, "\n")
}

// render is the body a delivery sends in format f, from the stored event JSON.
func render(f string, stored []byte) ([]byte, error) {
	if f == FormatManyi {
		return stored, nil
	}
	var e event
	if err := json.Unmarshal(stored, &e); err != nil {
		return nil, err
	}
	title, text := robotText(e)
	type msg struct {
		MsgType  string            `json:"msgtype"`
		Markdown map[string]string `json:"markdown"`
	}
	if f == FormatWeCom {
		return json.Marshal(msg{"markdown", map[string]string{"content": text}})
	}
	return json.Marshal(msg{"markdown", map[string]string{"title": title, "text": text}})
}

// DingTalkSign is DingTalk's robot signature: base64 of HMAC-SHA256 keyed by the secret over
// "<timestamp in ms>\n<secret>". DingTalk refuses a timestamp more than an hour off.
func DingTalkSign(secret string, at time.Time) (timestamp, sign string) {
	timestamp = strconv.FormatInt(at.UnixMilli(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + secret))
	return timestamp, base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// dingTalkURL adds the timestamp and sign query parameters to a DingTalk robot's URL.
func dingTalkURL(raw, secret string, at time.Time) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	ts, sign := DingTalkSign(secret, at)
	q := u.Query()
	q.Set("timestamp", ts)
	q.Set("sign", sign)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// robotRefusal is the error a group robot reports in a 200 answer (a wrong key or signature,
// a message over the rate limit): {"errcode": n, "errmsg": …}, errcode 0 being success. Such
// a delivery is not delivered and is retried like any other failure.
func robotRefusal(answer []byte) error {
	var r struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if json.Unmarshal(answer, &r) != nil || r.ErrCode == nil {
		return fmt.Errorf("the robot's answer is not its JSON: %.100q", answer)
	}
	if *r.ErrCode != 0 {
		return fmt.Errorf("the robot refused: errcode %d: %s", *r.ErrCode, r.ErrMsg)
	}
	return nil
}
