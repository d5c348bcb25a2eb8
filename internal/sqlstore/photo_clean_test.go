package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"testing"

	"shanzhi/internal/fault"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestPhotosStoredClean uploads a phone photo carrying its position, and a
// PNG whose header claims 50 megapixels, as award evidence, as a goods
// photo and as a public application's attachment: the first is kept
// without its EXIF, the second refused before it is decoded.
func TestPhotosStoredClean(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const secret = "GPS N46.08 E121.95"
		var b bytes.Buffer
		jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 16)), nil)
		seg := append([]byte("Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00"), secret...)
		app1 := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(len(seg)+2))
		gps := append(append([]byte{0xFF, 0xD8}, append(app1, seg...)...), b.Bytes()[2:]...)

		ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte("IHDR"), 10000), 5000)
		ihdr = append(ihdr, 8, 6, 0, 0, 0)
		huge := append(binary.BigEndian.AppendUint32([]byte("\x89PNG\r\n\x1a\n"), 13), ihdr...)
		huge = binary.BigEndian.AppendUint32(huge, crc32.ChecksumIEEE(ihdr))

		p, err := db.Photos().Upload(ctx, clerk, gps)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Photos().Upload(ctx, clerk, huge); !fault.Is(err, fault.Invalid) || authFieldKey(err, "photos") != "photo.too_many_pixels" {
			t.Fatalf("a 50-megapixel PNG as evidence: %v", err)
		}
		_, data, err := db.Photos().Content(ctx, clerk, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(secret)) || bytes.Contains(data, []byte("Exif")) {
			t.Fatal("the evidence photo keeps its EXIF")
		}
		// Lists show a small re-encoded copy.
		b.Reset()
		jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 1600, 1200)), nil)
		big, err := db.Photos().Upload(ctx, clerk, b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		th, small, err := db.Photos().Thumbnail(ctx, clerk, big.ID)
		if err != nil || th.ContentType != "image/jpeg" || len(small) >= big.Size {
			t.Fatalf("thumbnail %+v of %d bytes, photo %d bytes (%v)", th, len(small), big.Size, err)
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(small)); err != nil || cfg.Width != 256 || cfg.Height != 192 {
			t.Fatalf("thumbnail %+v (%v)", cfg, err)
		}

		w := newTalentWorld(t, db)
		_, tok, err := w.svc.Apply(ctx, w.application(pingan, "王晓景", 1, 40))
		if err != nil {
			t.Fatal(err)
		}
		att, err := w.svc.AttachByToken(ctx, tok, talent.PhotoAttachment, true, gps)
		if err != nil {
			t.Fatal(err)
		}
		if _, data, err := w.svc.AttachmentByToken(ctx, tok, att.ID); err != nil || bytes.Contains(data, []byte(secret)) {
			t.Fatalf("the attachment keeps its EXIF (%v)", err)
		}
		if _, err := w.svc.AttachByToken(ctx, tok, talent.PhotoAttachment, true, huge); authFieldKey(err, "file") != "photo.too_many_pixels" {
			t.Fatalf("a 50-megapixel PNG attached: %v", err)
		}
		s := openShop(t, db, 0)
		if err := db.Market().SetPhoto(ctx, admin, s.store.ID, s.oil, huge); authFieldKey(err, "photo") != "photo.too_many_pixels" {
			t.Fatalf("a 50-megapixel goods photo: %v", err)
		}
	})
}
