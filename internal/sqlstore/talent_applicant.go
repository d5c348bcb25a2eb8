package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/scheme"
	"shanzhi/internal/talent"
)

// applicantActor is who an applicant without an account acts as: the
// village's entry clerk for their own application and nothing else. It
// never leaves this file; each method below reaches the one application
// its token names before handing it over, so the grant cannot be used on
// any other record. It has no user id, so no reviewer is ever recused for
// being its submitter.
func applicantActor(village string) *access.Actor {
	return &access.Actor{Username: talent.ApplicantName, Grants: []access.Grant{{Role: access.Operator, Region: village}}}
}

// OpenRound returns a round for the public application page.
func (s *TalentService) OpenRound(ctx context.Context, id int64) (*talent.Round, error) {
	var out *talent.Round
	err := s.db.view(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.talentRound(ctx, nil, id)
		return err
	})
	return out, err
}

// Apply creates an applicant's draft and its private link. The token is
// 256 random bits; only its SHA-256 is kept, as for session cookies. A
// keyed hash would not survive a key rotation, since the token itself is
// not kept to be hashed again, and a random token needs no key to resist
// guessing.
func (s *TalentService) Apply(ctx context.Context, in talent.CandidateInput) (*talent.Candidate, string, error) {
	in.Resident = 0 // the registry is for staff to link, not for the public to probe
	token := newToken()
	var out *talent.Candidate
	err := s.db.update(ctx, func(tx *Tx) error {
		a := applicantActor(in.Village)
		id, err := tx.saveCandidate(ctx, a, 0, in)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE talent_candidates SET token_hash = ? WHERE id = ?`, tokenHash(token), id); err != nil {
			return err
		}
		if err := tx.audit(ctx, a, auditEntry{action: "talent.apply", target: fmt.Sprintf("talent_candidate:%d", id), region: in.Village,
			detail: "self-service link issued"}); err != nil {
			return err
		}
		out, err = tx.talentCandidate(ctx, nil, id)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, token, nil
}

// byToken loads the application a private link names, with the actor its
// applicant acts as; any other token is not found.
func (tx *Tx) byToken(ctx context.Context, token string) (*talent.Candidate, *access.Actor, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM talent_candidates WHERE token_hash = ?`, tokenHash(token)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || token == "" {
		return nil, nil, fault.E(fault.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, nil, err
	}
	c, err := tx.talentCandidate(ctx, nil, id)
	if err != nil {
		return nil, nil, err
	}
	return c, applicantActor(c.Village), nil
}

// Applicant opens a private link's application as its applicant sees it.
func (s *TalentService) Applicant(ctx context.Context, token string) (*talent.Candidate, []talent.Attachment, error) {
	var out *talent.Candidate
	var atts []talent.Attachment
	err := s.db.view(ctx, func(tx *Tx) error {
		c, _, err := tx.byToken(ctx, token)
		if err != nil {
			return err
		}
		if c.Levels, err = tx.talentLevels(ctx, c, false); err != nil {
			return err
		}
		if c.History, err = tx.talentSubmissions(ctx, c.ID); err != nil {
			return err
		}
		talent.PublicView(c)
		out = c
		atts, err = tx.talentAttachments(ctx, c.ID)
		return err
	})
	return out, atts, err
}

// SaveByToken changes the link's draft or returned application. The
// village and the registry link stay as they are: moving an application
// to another village is for the staff who would then answer for it.
func (s *TalentService) SaveByToken(ctx context.Context, token string, in talent.CandidateInput) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := s.db.update(ctx, func(tx *Tx) error {
		c, a, err := tx.byToken(ctx, token)
		if err != nil {
			return err
		}
		in.Round, in.Village, in.Resident = c.Round, c.Village, c.Resident
		if _, err := tx.saveCandidate(ctx, a, c.ID, in); err != nil {
			return err
		}
		out, err = tx.talentCandidate(ctx, nil, c.ID)
		return err
	})
	return out, err
}

// SubmitByToken submits the link's application, first or again after a
// return, under the same completeness and window rules as Submit.
func (s *TalentService) SubmitByToken(ctx context.Context, token string) (*talent.Candidate, error) {
	var out *talent.Candidate
	err := s.db.update(ctx, func(tx *Tx) error {
		c, a, err := tx.byToken(ctx, token)
		if err != nil {
			return err
		}
		out, err = s.submitTx(ctx, tx, a, c.ID)
		return err
	})
	return out, err
}

// AttachByToken adds a file to the link's draft or returned application.
func (s *TalentService) AttachByToken(ctx context.Context, token string, kind talent.AttachmentKind, public bool, data []byte) (*talent.Attachment, error) {
	data, err := checkAttachment(kind, data)
	if err != nil {
		return nil, err
	}
	var out *talent.Attachment
	err = s.db.update(ctx, func(tx *Tx) error {
		c, a, err := tx.byToken(ctx, token)
		if err != nil {
			return err
		}
		if !c.Status.Editable() {
			return fault.E(fault.Conflict, "talent.candidate.not_editable")
		}
		out, err = tx.attach(ctx, a, c, kind, public, data, true)
		return err
	})
	return out, err
}

// takeQuota adds n to the counter key if it stays within max, in one
// statement: concurrent takers on any server are serialised by the row,
// so the cap holds exactly. It reports whether n was taken.
func (tx *Tx) takeQuota(ctx context.Context, key string, n, max int64) (bool, error) {
	if _, err := tx.exec(ctx, `INSERT INTO public_quotas (key, used) VALUES (?, 0) ON CONFLICT (key) DO NOTHING`, key); err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, `UPDATE public_quotas SET used = used + ? WHERE key = ? AND used + ? <= ?`, n, key, n, max)
	if err != nil {
		return false, err
	}
	taken, err := res.RowsAffected()
	return taken == 1, err
}

// publicQuota charges a file the public attaches to c against the client
// address's day and the round's storage.
func (tx *Tx) publicQuota(ctx context.Context, c *talent.Candidate, size int) error {
	client := access.RequestFrom(ctx).ClientKey()
	day := scheme.Day(scheme.Today(tx.now))
	ok, err := tx.takeQuota(ctx, "attach:client:"+client+":"+day, 1, talent.MaxClientAttachmentsPerDay)
	if err != nil {
		return err
	}
	if !ok {
		return fault.OnField(fault.TooMany, "file", "talent.attachment.client_day", talent.MaxClientAttachmentsPerDay)
	}
	ok, err = tx.takeQuota(ctx, fmt.Sprintf("attach:round:%d", c.Round), int64(size), talent.MaxRoundPublicBytes)
	if err != nil {
		return err
	}
	if !ok {
		return fault.OnField(fault.TooLarge, "file", "talent.attachment.round_full")
	}
	return nil
}

// AttachmentByToken returns one attachment of the link's application.
func (s *TalentService) AttachmentByToken(ctx context.Context, token string, id int64) (*talent.Attachment, []byte, error) {
	var out *talent.Attachment
	var data []byte
	err := s.db.view(ctx, func(tx *Tx) error {
		c, _, err := tx.byToken(ctx, token)
		if err != nil {
			return err
		}
		out, data, err = tx.attachmentContent(ctx, c.ID, id)
		return err
	})
	return out, data, err
}
