package web

import (
	"testing"

	"manyi/internal/complaint"
	"manyi/internal/locale"
)

func TestComplaintEventNote(t *testing.T) {
	tests := []struct {
		e    complaint.Event
		want string
	}{
		{complaint.Event{Action: "register", Note: "callback"}, "电话回访"},
		{complaint.Event{Action: "classify", Note: "valid: 经查实，确属服务过错"}, "有效投诉 · 经查实，确属服务过错"},
		{complaint.Event{Action: "remind", Note: "reply_breach"}, "回复已超时，已通知单位负责人和质量管理员"},
		{complaint.Event{Action: "reply", Note: "已收到: 正在处理"}, "已收到: 正在处理"},
	}
	for _, tt := range tests {
		if got := complaintEventNote(locale.ZH, tt.e); got != tt.want {
			t.Errorf("complaintEventNote(%+v) = %q, want %q", tt.e, got, tt.want)
		}
	}
}
