package inspection

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"manyi/internal/errs"
)

// Photo limits: a phone camera's photo fits; a video does not.
const (
	MaxPhotoBytes = 5 << 20
	MaxPhotos     = 3
)

// Upload is a photo as received: the name and type the phone claims, and the bytes.
type Upload struct {
	Name        string
	ContentType string
	Data        []byte
}

// Photo is a stored photo, without its bytes.
type Photo struct {
	ID          int64  `json:"id"`
	FindingID   int64  `json:"finding_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// imageTypes are the image types a phone camera or gallery produces that browsers show.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// checkPhoto refuses a file that is empty, too large or not an image by its content: the
// name and the claimed type are not trusted (a camera may name a photo "image.jpg" or
// nothing at all, and anyone can name a PDF "photo.jpg").
func checkPhoto(u *Upload) (Photo, error) {
	name := strings.TrimSpace(path.Base(strings.ReplaceAll(u.Name, "\\", "/")))
	if name == "" || name == "." || name == "/" {
		name = "photo"
	}
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	u.Name = name
	switch {
	case len(u.Data) == 0:
		return Photo{}, errs.Field("photos", "inspection.photo_empty", name)
	case len(u.Data) > MaxPhotoBytes:
		return Photo{}, errs.Field("photos", "inspection.photo_too_large", name, MaxPhotoBytes>>20)
	}
	sniffed, _, _ := strings.Cut(http.DetectContentType(u.Data), ";")
	if !imageTypes[sniffed] {
		return Photo{}, errs.Field("photos", "inspection.photo_not_image", name)
	}
	sum := sha256.Sum256(u.Data)
	return Photo{Name: name, ContentType: sniffed, Size: int64(len(u.Data)), SHA256: hex.EncodeToString(sum[:])}, nil
}
