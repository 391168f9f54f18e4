package complaint

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"manyi/internal/errs"
)

// Attachment limits: a phone photo fits, a scanned letter as PDF fits, a video does not.
const (
	MaxAttachmentBytes = 5 << 20
	MaxAttachments     = 3
)

// Upload is an attachment as received: the name and type the sender claims, and the bytes.
type Upload struct {
	Name        string
	ContentType string // as claimed by the browser; may be empty
	Data        []byte
}

// Attachment is a stored attachment, without its bytes.
type Attachment struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// allowed maps a file extension to the only type its content may be.
var allowed = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf",
}

// checkUpload refuses a file that is empty, too large, of a type not accepted, or whose
// content is not what its name or declared type claims (content sniffing, not trust).
func checkUpload(u *Upload) (Attachment, error) {
	name := strings.TrimSpace(path.Base(strings.ReplaceAll(u.Name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		name = "attachment"
	}
	if utf8.RuneCountInString(name) > 100 {
		return Attachment{}, errs.Field("attachments", "complaint.file_name_long", 100)
	}
	u.Name = name
	switch {
	case len(u.Data) == 0:
		return Attachment{}, errs.Field("attachments", "complaint.file_empty", name)
	case len(u.Data) > MaxAttachmentBytes:
		return Attachment{}, errs.Field("attachments", "complaint.file_too_large", name, MaxAttachmentBytes>>20)
	}
	want, ok := allowed[strings.ToLower(path.Ext(name))]
	if !ok {
		return Attachment{}, errs.Field("attachments", "complaint.file_type", name)
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(u.Data), ";")
	claimed, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(u.ContentType)), ";")
	if claimed == "image/jpg" {
		claimed = "image/jpeg"
	}
	if sniffed != want || (claimed != "" && claimed != "application/octet-stream" && claimed != want) {
		return Attachment{}, errs.Field("attachments", "complaint.file_not_what_it_claims", name)
	}
	sum := sha256.Sum256(u.Data)
	return Attachment{Name: name, ContentType: want, Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:])}, nil
}
