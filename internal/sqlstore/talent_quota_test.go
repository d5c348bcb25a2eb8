package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// TestPublicAttachmentQuota attaches files through private links from one
// client address, many at once: the day's cap per address holds exactly
// however the files are spread over applications, and another address
// still attaches.
func TestPublicAttachmentQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		w := newTalentWorld(t, db)
		from := func(client string) context.Context {
			return access.WithRequest(context.Background(), access.Request{Client: client})
		}
		apps := talent.MaxClientAttachmentsPerDay/talent.MaxAttachments + 2
		tokens := make([]string, apps)
		for i := range tokens {
			_, tok, err := w.svc.Apply(context.Background(), w.application(pingan, fmt.Sprintf("申请人%d", i), 20+i, 10))
			if err != nil {
				t.Fatal(err)
			}
			tokens[i] = tok
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		stored, refused := 0, 0
		for i := range tokens {
			for j := range talent.MaxAttachments {
				wg.Go(func() {
					_, err := w.svc.AttachByToken(from("203.0.113.7"), tokens[i], talent.PhotoAttachment, false, photo.Swatch(byte(i*talent.MaxAttachments+j)))
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						stored++
					case fault.Is(err, fault.TooMany):
						refused++
					default:
						t.Error(err)
					}
				})
			}
		}
		wg.Wait()
		if stored != talent.MaxClientAttachmentsPerDay || refused != apps*talent.MaxAttachments-stored {
			t.Fatalf("%d stored and %d refused from one address, want %d stored", stored, refused, talent.MaxClientAttachmentsPerDay)
		}
		_, tok, err := w.svc.Apply(context.Background(), w.application(pingan, "另一户", 60, 10))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AttachByToken(from("198.51.100.9"), tok, talent.PhotoAttachment, false, photo.Swatch(200)); err != nil {
			t.Fatalf("another address: %v", err)
		}
	})
}
