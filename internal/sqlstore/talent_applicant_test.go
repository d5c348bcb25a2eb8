package sqlstore_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"shanzhi/internal/fault"
	"shanzhi/internal/photo"
	"shanzhi/internal/review"
	"shanzhi/internal/sqlstore"
	"shanzhi/internal/sqlstore/storetest"
	"shanzhi/internal/talent"
)

// pdf is the smallest file http.DetectContentType names application/pdf.
var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// TestTalentAttachments checks the files an application carries: sniffed
// by content, bounded in size and number, licences never public, and
// reachable only through the application they belong to.
func TestTalentAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)
		c, err := w.svc.Save(ctx, tlOp, 0, w.application(pingan, "王晓景", 1, 40))
		if err != nil {
			t.Fatal(err)
		}
		other, err := w.svc.Save(ctx, tlOp, 0, w.application(pingan, "李秀兰", 2, 20))
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Attach(ctx, tlOp, c.ID, talent.PhotoAttachment, true, []byte("<html><script>alert(1)</script></html>"))
		wantCode(t, "a page renamed to .jpg", err, fault.Invalid)
		_, err = w.svc.Attach(ctx, tlOp, c.ID, talent.PhotoAttachment, false, pdf)
		wantCode(t, "a PDF as a product photo", err, fault.Invalid)
		big := append(photo.Swatch(1), bytes.Repeat([]byte{0}, talent.MaxAttachmentBytes)...)
		_, err = w.svc.Attach(ctx, tlOp, c.ID, talent.PhotoAttachment, false, big)
		wantCode(t, "a file over 5 MB", err, fault.TooLarge)
		_, err = w.svc.Attach(ctx, tlVillage, c.ID, talent.PhotoAttachment, false, photo.Swatch(1))
		wantCode(t, "a reviewer attaching", err, fault.Forbidden)

		lic, err := w.svc.Attach(ctx, tlOp, c.ID, talent.LicenceAttachment, true, pdf)
		if err != nil {
			t.Fatal(err)
		}
		if lic.ContentType != talent.PDF || lic.Public {
			t.Fatalf("licence stored as %s public=%v, want a PDF never public", lic.ContentType, lic.Public)
		}
		again, err := w.svc.Attach(ctx, tlOp, c.ID, talent.LicenceAttachment, false, pdf)
		if err != nil || again.ID != lic.ID {
			t.Fatalf("the same file sent twice: %v, id %d want %d", err, again.ID, lic.ID)
		}
		for i := range talent.MaxAttachments - 1 {
			if _, err := w.svc.Attach(ctx, tlOp, c.ID, talent.PhotoAttachment, true, photo.Swatch(byte(i+2))); err != nil {
				t.Fatal(err)
			}
		}
		_, err = w.svc.Attach(ctx, tlOp, c.ID, talent.PhotoAttachment, true, photo.Swatch(40))
		wantCode(t, "a seventh attachment", err, fault.Invalid)

		// Reviewers over the village see them; the sibling township does
		// not, and no other application lists them.
		if _, data, err := w.svc.AttachmentContent(ctx, tlLeague, lic.ID); err != nil || !bytes.Equal(data, pdf) {
			t.Fatalf("league reviewer reading the licence: %v", err)
		}
		if _, _, err := w.svc.AttachmentContent(ctx, tlTown1, lic.ID); err != nil {
			t.Fatalf("township reviewer reading the licence: %v", err)
		}
		_, _, err = w.svc.AttachmentContent(ctx, tlOutsider, lic.ID)
		wantCode(t, "the sibling township reading the licence", err, fault.NotFound)
		_, _, err = w.svc.AttachmentContent(ctx, tlOp, lic.ID+1000)
		wantCode(t, "a forged attachment id", err, fault.NotFound)
		if atts, err := w.svc.Attachments(ctx, tlOp, other.ID); err != nil || len(atts) != 0 {
			t.Fatalf("another application lists %d attachments (%v)", len(atts), err)
		}
		atts, err := w.svc.Attachments(ctx, tlBanner, c.ID)
		if err != nil || len(atts) != talent.MaxAttachments {
			t.Fatalf("banner lists %d attachments (%v), want %d", len(atts), err, talent.MaxAttachments)
		}

		// Once submitted the application's papers are fixed.
		if _, err := w.svc.Submit(ctx, tlOp, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Attach(ctx, tlOp, c.ID, talent.PhotoAttachment, false, photo.Swatch(50))
		wantCode(t, "attaching to an application under review", err, fault.Conflict)
	})
}

// TestTalentApplicantLink walks an applicant without an account through
// their private link: apply, attach, submit, see a return with its
// reason, edit and resubmit; a wrong token finds nothing and the link
// never shows reviewers' scores or comments.
func TestTalentApplicantLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)
		in := w.application(pingan, "返乡青年", 11, 30)
		in.Summary = ""
		c, token, err := w.svc.Apply(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(token) < 40 || c.Status != talent.Draft || c.IDMasked == "" || strings.Contains(c.IDMasked, tlID(11)[6:14]) {
			t.Fatalf("apply: token %q, status %s, id shown %q", token, c.Status, c.IDMasked)
		}
		other, token2, err := w.svc.Apply(ctx, w.application(pingan, "下乡市民", 12, 10))
		if err != nil {
			t.Fatal(err)
		}

		_, _, err = w.svc.Applicant(ctx, token+"x")
		wantCode(t, "a wrong token", err, fault.NotFound)
		_, _, err = w.svc.Applicant(ctx, "")
		wantCode(t, "no token", err, fault.NotFound)
		mine, _, err := w.svc.Applicant(ctx, token2)
		if err != nil || mine.ID != other.ID {
			t.Fatalf("the second link opens %v (%v), want application %d", mine, err, other.ID)
		}
		att, err := w.svc.AttachByToken(ctx, token, talent.LicenceAttachment, false, pdf)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = w.svc.AttachmentByToken(ctx, token2, att.ID)
		wantCode(t, "another link's attachment", err, fault.NotFound)
		_, err = w.svc.AttachByToken(ctx, token, talent.PhotoAttachment, false, []byte("MZ\x90\x00 not a picture"))
		wantCode(t, "a program as a photo", err, fault.Invalid)

		_, err = w.svc.SubmitByToken(ctx, token)
		wantCode(t, "submitting without a summary", err, fault.Invalid)
		in.Summary, in.IDNumber, in.Phone = "返乡发展肉牛养殖", "", ""
		in.Village = yuanfeng // the link cannot move the application
		if c, err = w.svc.SaveByToken(ctx, token, in); err != nil {
			t.Fatal(err)
		}
		if c.Village != pingan || c.IDMasked == "" {
			t.Fatalf("after saving by link: village %s, ID %q", c.Village, c.IDMasked)
		}
		if _, err := w.svc.SubmitByToken(ctx, token); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.SaveByToken(ctx, token, in)
		wantCode(t, "editing under review", err, fault.Conflict)

		// The village scores with a private comment and returns it with a
		// reason the applicant must see.
		if err := w.svc.Score(ctx, tlVillage, c.ID, []int{15, 15, 15, 15, 15}, "私下评语：经营规模偏小"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Decide(ctx, tlVillage, c.ID, talent.Decision{Decision: review.Return, Reason: "请补充带动农户名单"}); err != nil {
			t.Fatal(err)
		}
		seen, _, err := w.svc.Applicant(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if seen.Status != talent.Returned || seen.Levels[0].Reason != "请补充带动农户名单" {
			t.Fatalf("the link shows %s with reason %q", seen.Status, seen.Levels[0].Reason)
		}
		for _, l := range seen.Levels {
			if len(l.Scores) > 0 || l.Mean != 0 || l.Decider != "" {
				t.Fatalf("the link shows reviewers' scores or names: %+v", l)
			}
		}
		if s := strings.Join([]string{seen.Levels[0].Reason, seen.Actor}, " "); strings.Contains(s, "私下评语") {
			t.Fatal("the link shows a reviewer's private comment")
		}

		// The applicant corrects it and sends it again; history is kept.
		in.Households = 36
		if _, err := w.svc.SaveByToken(ctx, token, in); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.AttachByToken(ctx, token, talent.PhotoAttachment, true, photo.Swatch(3)); err != nil {
			t.Fatal(err)
		}
		again, err := w.svc.SubmitByToken(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if again.Status != talent.InReview || again.Step != 0 || again.Submissions != 2 || again.Households != 36 {
			t.Fatalf("resubmitted: %s step %d, %d submissions, %d households", again.Status, again.Step, again.Submissions, again.Households)
		}
		full, err := w.svc.Candidate(ctx, tlLeague, c.ID)
		if err != nil || len(full.History) != 2 || full.History[0].Outcome != talent.Returned {
			t.Fatalf("history after resubmission: %+v (%v)", full.History, err)
		}
		// The village's reviewer is not recused: the applicant is no user.
		w.pass(t, c.ID, tlVillage, 80, "")
	})
}

// TestTalentTrainingDirection checks that a training measure says whether
// the leader gives or receives it, and that other lists carry none.
func TestTalentTrainingDirection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newTalentWorld(t, db)
		c := w.submitted(t, tlOp, w.application(pingan, "王晓景", 1, 40))
		w.pass(t, c.ID, tlVillage, 80, "")
		w.pass(t, c.ID, tlTown1, 80, "")
		w.pass(t, c.ID, tlBanner, 80, "")
		w.pass(t, c.ID, tlLeague, 80, talent.TierVillage)
		if _, err := w.rev.FinaliseDue(ctx, db.Now().AddDate(0, 0, 10)); err != nil {
			t.Fatal(err)
		}
		c, err := w.svc.Candidate(ctx, tlOp, c.ID)
		if err != nil || c.LeaderID == 0 {
			t.Fatalf("no leader after the notice: %v", err)
		}
		base := talent.MeasureInput{List: talent.Training, Title: "肉牛养殖技术培训", Owner: "王晓景", Deadline: "2026-09-30"}
		_, err = w.svc.AddMeasure(ctx, tlOp, c.LeaderID, base)
		wantCode(t, "a training without a direction", err, fault.Invalid)
		gives, receives := base, base
		gives.Direction, receives.Direction = talent.Gives, talent.Receives
		receives.Title = "参加盟级电商培训"
		for _, in := range []talent.MeasureInput{gives, receives} {
			if _, err := w.svc.AddMeasure(ctx, tlOp, c.LeaderID, in); err != nil {
				t.Fatal(err)
			}
		}
		pair := talent.MeasureInput{List: talent.Pairing, Title: "结对帮带", Partner: "青年", Owner: "王晓景", Deadline: "2026-09-30", Direction: talent.Gives}
		if _, err := w.svc.AddMeasure(ctx, tlOp, c.LeaderID, pair); err != nil {
			t.Fatal(err)
		}
		l, err := w.svc.Leader(ctx, tlOp, c.LeaderID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]talent.Direction{}
		for _, m := range l.Measures {
			got[m.Title] = m.Direction
		}
		if got["肉牛养殖技术培训"] != talent.Gives || got["参加盟级电商培训"] != talent.Receives || got["结对帮带"] != "" {
			t.Fatalf("directions: %v", got)
		}
		// Attendees are logged on the training, and summed on it.
		for _, m := range l.Measures {
			if m.Title == "肉牛养殖技术培训" {
				if err := w.svc.LogMeasure(ctx, tlOp, c.LeaderID, talent.LogInput{Measure: m.ID, Day: "2026-05-30", Note: "第一期", Amount: 32}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if l, err = w.svc.Leader(ctx, tlOp, c.LeaderID); err != nil {
			t.Fatal(err)
		}
		for _, m := range l.Measures {
			if m.Title == "肉牛养殖技术培训" && m.Amount != 32 {
				t.Fatalf("attendees %d, want 32", m.Amount)
			}
		}
	})
}
