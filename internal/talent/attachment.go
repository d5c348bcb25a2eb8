package talent

import (
	"time"

	"shanzhi/internal/photo"
)

// AttachmentKind says what an attachment shows, which decides who may
// ever see it: a licence only reviewers, a product photo the public too
// once the leader lets it.
type AttachmentKind string

// The kinds.
const (
	PhotoAttachment   AttachmentKind = "photo"   // 产品、基地照片
	LicenceAttachment AttachmentKind = "licence" // 营业执照、许可证等证照
)

// Valid reports whether k is a known kind.
func (k AttachmentKind) Valid() bool { return k == PhotoAttachment || k == LicenceAttachment }

// PDF is the type a scanned licence arrives as, as http.DetectContentType
// names it.
const PDF = "application/pdf"

// Attachment limits: a phone photo or a scanned licence fits in 5 MB, and
// six cover the products and the papers of one business.
const (
	MaxAttachmentBytes = 5 << 20
	MaxAttachments     = 6
)

// The public form's caps, which hold across servers and restarts: files
// one client address may attach in a day (a village office helping a
// dozen neighbours apply stays under it), and the bytes the public may
// store in one round.
const (
	MaxClientAttachmentsPerDay       = 30
	MaxRoundPublicBytes        int64 = 1 << 30
)

// AttachmentTypes are the types an attachment of kind may be, sniffed
// from its bytes: photos are images a browser shows; licences may also be
// the PDF a scanner makes.
func AttachmentTypes(k AttachmentKind) []string {
	if k == LicenceAttachment {
		return []string{photo.JPEG, photo.PNG, photo.WebP, PDF}
	}
	return []string{photo.JPEG, photo.PNG, photo.WebP}
}

// Attachment is a stored attachment's description; its bytes travel
// separately.
type Attachment struct {
	ID          int64
	Candidate   int64
	Kind        AttachmentKind
	Public      bool
	ContentType string
	Size        int
	Actor       string
	Created     time.Time
}

// Image reports whether a browser can show the attachment inline.
func (a Attachment) Image() bool { return a.ContentType != PDF }
