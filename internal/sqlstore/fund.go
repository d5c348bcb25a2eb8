package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/i18n"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
)

// FundService implements honour.FundService: mutual-aid drives on an
// append-only ledger chained per village with the chain key, like the
// points ledger, and checked by verify (FundCheck).
type FundService struct{ db *DB }

// Funds returns the store's fundraising ledgers.
func (db *DB) Funds() *FundService { return &FundService{db: db} }

var _ honour.FundService = (*FundService)(nil)

const campaignSelect = `SELECT c.id, c.village_code, v.name, c.household_id, h.number, COALESCE(r.name, ''), c.title, c.reason, c.partner, c.target, c.starts, c.ends,
	c.consent, c.consent_date, c.status, c.raised, c.spent, c.balance, c.created_by, c.created_at,
	(SELECT count(*) FROM fund_entries d WHERE d.campaign_id = c.id AND d.kind = 'donation'
		AND NOT EXISTS (SELECT 1 FROM fund_entries f WHERE f.ref_id = d.id AND f.kind = 'confirm')),
	COALESCE((SELECT SUM(t.amount) FROM fund_entries t WHERE t.campaign_id = c.id AND t.kind = 'transfer'), 0)
	FROM fund_campaigns c JOIN regions v ON v.code = c.village_code JOIN households h ON h.id = c.household_id LEFT JOIN residents r ON r.id = h.head_id`

func scanCampaign(s interface{ Scan(...any) error }) (honour.Campaign, error) {
	var c honour.Campaign
	var at int64
	err := s.Scan(&c.ID, &c.Village, &c.VillageName, &c.Household, &c.Number, &c.Head, &c.Title, &c.Reason, &c.Partner, &c.Target, &c.Starts, &c.Ends,
		&c.Consent, &c.ConsentDate, &c.Status, &c.Raised, &c.Spent, &c.Balance, &c.CreatedBy, &at, &c.Pending, &c.Moved)
	c.Created = time.UnixMilli(at)
	return c, err
}

// campaignFor loads a campaign a may read (nil: the public page), and may
// write when write is set.
func (tx *Tx) campaignFor(ctx context.Context, a *access.Actor, id int64, write bool) (*honour.Campaign, error) {
	c, err := scanCampaign(tx.queryRow(ctx, campaignSelect+` WHERE c.id = ?`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return nil, err
	case a != nil && !honourReader(a, c.Village):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case write && !a.Can(access.HonourManage, c.Village):
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	return &c, nil
}

// Open starts a drive for a household of the official's village.
func (s *FundService) Open(ctx context.Context, a *access.Actor, in honour.CampaignInput) (*honour.Campaign, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	// The consent's scan is checked and cleaned before the transaction,
	// as a credit consent's is: a bad one opens no drive.
	scanType, scan, err := cleanScan(in.Scan)
	if err != nil {
		return nil, err
	}
	var out *honour.Campaign
	err = s.db.update(ctx, func(tx *Tx) error {
		h, err := tx.householdFor(ctx, a, in.Household, access.HonourManage)
		if err != nil {
			return err
		}
		if h.Status != registry.HouseholdActive {
			return fault.OnField(fault.Conflict, "household", "registry.household.inactive")
		}
		_, actor := actorRef(a)
		id, err := tx.insertID(ctx, `INSERT INTO fund_campaigns (village_code, household_id, title, reason, partner, target, starts, ends, consent, consent_date, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.VillageCode, h.ID, in.Title, string(in.Reason), in.Partner, in.Target, in.Starts, in.Ends,
			string(in.Consent), in.ConsentDate, string(honour.CampaignOpen), actor, tx.nowMS())
		if err != nil {
			return err
		}
		if scan != nil {
			if _, err := tx.insertScan(ctx, a, honour.FundScanKind, id, h.ID, h.VillageCode, scanType, scan); err != nil {
				return err
			}
		}
		if out, err = tx.campaign(ctx, a, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "fund.open", target: fmt.Sprintf("campaign:%d household:%d", id, h.ID), region: h.VillageCode,
			detail: fmt.Sprintf("%s %s target=%s partner=%s consent=%s/%s scan %s %d bytes", in.Title, in.Reason, honour.Yuan(in.Target), in.Partner, in.Consent, in.ConsentDate, scanType, len(scan))})
	})
	return out, err
}

// Campaigns lists the drives under region, newest first.
func (s *FundService) Campaigns(ctx context.Context, a *access.Actor, region string) ([]honour.Campaign, error) {
	if !regioncode.ValidCode(region) || !honourReader(a, region) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	lo, hi := regioncode.Range(region)
	var out []honour.Campaign
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(ctx, tx, scanCampaign, campaignSelect+` WHERE c.village_code >= ? AND c.village_code < ? ORDER BY c.id DESC LIMIT 500`, lo, hi)
		return err
	})
	return out, err
}

// Campaign returns one drive, with its consent's scans for those who may
// open them.
func (s *FundService) Campaign(ctx context.Context, a *access.Actor, id int64) (*honour.Campaign, error) {
	var out *honour.Campaign
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.campaign(ctx, a, id)
		return err
	})
	return out, err
}

// campaign is Campaign in tx.
func (tx *Tx) campaign(ctx context.Context, a *access.Actor, id int64) (*honour.Campaign, error) {
	c, err := tx.campaignFor(ctx, a, id, false)
	if err != nil || !scanMayOpen(a, c.Village, c.Household, false) {
		return c, err
	}
	c.Scans, err = tx.scansFor(ctx, honour.FundScanKind, id)
	return c, err
}

// Scan returns a scan of a drive's consent to the officials who read its
// village's register, and audits the view.
func (s *FundService) Scan(ctx context.Context, a *access.Actor, id, scan int64) (string, []byte, error) {
	var ctype string
	var data []byte
	err := s.db.update(ctx, func(tx *Tx) error {
		c, err := tx.campaignFor(ctx, a, id, false)
		if err != nil {
			return err
		}
		if !scanMayOpen(a, c.Village, c.Household, false) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		ctype, data, err = tx.openScan(ctx, a, honour.FundScanKind, "subject_id", id, scan, c.Village, "fund.scan.view", fmt.Sprintf("campaign:%d household:%d", id, c.Household))
		return err
	})
	return ctype, data, err
}

const fundCols = `e.id, e.village_code, e.seq, e.campaign_id, e.kind, e.ref_id, e.party, e.named, e.amount, e.method, e.day, e.receipt, e.evidence, e.idem_key,
	e.actor_id, e.actor_name, e.at, e.prev_hash, e.hash, e.kv`

func scanFundEntry(s interface{ Scan(...any) error }) (honour.Entry, error) {
	var e honour.Entry
	var named int
	var at int64
	err := s.Scan(&e.ID, &e.Village, &e.Seq, &e.Campaign, &e.Kind, &e.Ref, &e.Party, &named, &e.Amount, &e.Method, &e.Day, &e.Receipt, &e.Evidence, &e.Key,
		&e.ActorID, &e.Actor, &at, &e.PrevHash, &e.Hash, &e.KV)
	e.Named, e.At = named != 0, time.UnixMilli(at)
	return e, err
}

// Entries lists a drive's ledger in order, each donation with who
// confirmed it.
func (s *FundService) Entries(ctx context.Context, a *access.Actor, id int64) ([]honour.Entry, error) {
	var out []honour.Entry
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.campaignFor(ctx, a, id, false); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scanFundEntry, `SELECT `+fundCols+` FROM fund_entries e WHERE e.campaign_id = ? ORDER BY e.seq`, id)
		if err != nil {
			return err
		}
		by := map[int64]string{}
		for _, e := range out {
			if e.Kind == honour.Confirmation {
				by[e.Ref] = e.Actor
			}
		}
		for i := range out {
			out[i].ConfirmedBy = by[out[i].ID]
		}
		return nil
	})
	return out, err
}

// Post appends one entry. A request that loses a race for its key runs
// once more and then finds the winner's entry.
func (s *FundService) Post(ctx context.Context, a *access.Actor, p honour.Posting) (*honour.Entry, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	var out *honour.Entry
	for attempt := 0; ; attempt++ {
		err := s.db.update(ctx, func(tx *Tx) (err error) {
			out, err = tx.fundPost(ctx, a, p)
			return err
		})
		if isUniqueViolation(err) && attempt == 0 {
			continue
		}
		return out, err
	}
}

// fundPost applies p inside tx. The campaign's row is the point every
// writer of the drive meets: its conditional updates keep the balance from
// going below zero and a closed drive closed under any interleaving.
func (tx *Tx) fundPost(ctx context.Context, a *access.Actor, p honour.Posting) (*honour.Entry, error) {
	fp := p.Fingerprint()
	var prevID int64
	var prevFP string
	err := tx.queryRow(ctx, `SELECT id, fingerprint FROM fund_entries WHERE idem_key = ?`, p.Key).Scan(&prevID, &prevFP)
	switch {
	case err == nil && prevFP == fp:
		e, err := scanFundEntry(tx.queryRow(ctx, `SELECT `+fundCols+` FROM fund_entries e WHERE e.id = ?`, prevID))
		return &e, err
	case err == nil:
		return nil, fault.OnField(fault.Conflict, "key", "points.key_reused")
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	c, err := tx.campaignFor(ctx, a, p.Campaign, true)
	if err != nil {
		return nil, err
	}
	if c.Status != honour.CampaignOpen {
		return nil, fault.E(fault.Conflict, "fund.closed")
	}
	open := ` AND status = 'open'`
	// extra is an entry the posting brings with it: the transfer of what
	// is left, at closing.
	var extra []honour.Posting
	switch p.Kind {
	case honour.Donation:
		// Recorded, not counted: the money counts once a second official
		// confirms it.
		err = tx.exactlyOne(ctx, fault.E(fault.Conflict, "fund.closed"), `UPDATE fund_campaigns SET status = status WHERE id = ?`+open, c.ID)
	case honour.Confirmation:
		var kind string
		var actor, amount, campaign int64
		err = tx.queryRow(ctx, `SELECT kind, actor_id, amount, campaign_id FROM fund_entries WHERE id = ?`, p.Ref).Scan(&kind, &actor, &amount, &campaign)
		switch {
		case errors.Is(err, sql.ErrNoRows) || err == nil && (kind != string(honour.Donation) || campaign != c.ID):
			return nil, fault.OnField(fault.NotFound, "donation", "fund.confirm.which")
		case err != nil:
			return nil, err
		case a == nil || actor == a.UserID:
			return nil, fault.E(fault.Forbidden, "fund.confirm.self")
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM fund_entries WHERE ref_id = ? AND kind = 'confirm'`, p.Ref).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fault.E(fault.Conflict, "fund.confirm.done")
		}
		p.Amount = amount
		err = tx.exactlyOne(ctx, fault.E(fault.Conflict, "fund.closed"), `UPDATE fund_campaigns SET raised = raised + ?, balance = balance + ? WHERE id = ?`+open, amount, amount, c.ID)
	case honour.Disbursement:
		err = tx.exactlyOne(ctx, fault.OnField(fault.Conflict, "amount", "fund.beyond_balance", honour.Yuan(c.Balance)),
			`UPDATE fund_campaigns SET spent = spent + ?, balance = balance - ? WHERE id = ? AND balance >= ?`+open, p.Amount, p.Amount, c.ID, p.Amount)
	case honour.Closing:
		if c.Pending > 0 {
			return nil, fault.E(fault.Conflict, "fund.close.pending", c.Pending)
		}
		if c.Balance > 0 && p.Party == "" {
			return nil, fault.OnField(fault.Conflict, "party", "fund.close.balance", honour.Yuan(c.Balance))
		}
		// What is left goes where the committee recorded, as its own
		// entry, before the closing: the drive ends at zero either way.
		if c.Balance > 0 {
			t := p
			t.Kind, t.Amount, t.Key = honour.Transfer, c.Balance, p.Key+":transfer"
			extra = append(extra, t)
		}
		err = tx.exactlyOne(ctx, fault.E(fault.Conflict, "fund.closed"), `UPDATE fund_campaigns SET status = ?, balance = 0 WHERE id = ? AND balance = ?`+open,
			string(honour.CampaignClosed), c.ID, c.Balance)
		p.Amount = 0
	}
	if err != nil {
		return nil, err
	}
	for _, t := range extra {
		if _, err := tx.appendFund(ctx, a, c.Village, t, t.Fingerprint()); err != nil {
			return nil, err
		}
	}
	e, err := tx.appendFund(ctx, a, c.Village, p, fp)
	if err != nil {
		return nil, err
	}
	return e, tx.audit(ctx, a, auditEntry{action: "fund." + string(p.Kind), target: fmt.Sprintf("campaign:%d entry:%d", c.ID, e.ID), region: c.Village,
		detail: fmt.Sprintf("%s %s %s %s", p.Kind, honour.Yuan(e.Amount), p.Receipt, p.Day)})
}

// fundMAC is an entry's keyed hash: every column but the display id, its
// place and key version included, so no entry can be altered, moved or
// re-keyed without the chain key.
func fundMAC(key points.ChainKey, prev string, e honour.Entry) string {
	return chainMAC(key, "fund", strconv.Itoa(e.KV), e.Village, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.Campaign, 10), string(e.Kind),
		strconv.FormatInt(e.Ref, 10), e.Party, strconv.FormatBool(e.Named), strconv.FormatInt(e.Amount, 10), string(e.Method), e.Day, e.Receipt, e.Evidence,
		e.Key, strconv.FormatInt(e.ActorID, 10), e.Actor, strconv.FormatInt(e.At.UnixMilli(), 10), prev)
}

// appendFund chains an entry to its village's fundraising ledger: the
// head's row lock orders the village's writers, as the points ledger's
// does, and no other village waits on it.
func (tx *Tx) appendFund(ctx context.Context, a *access.Actor, village string, p honour.Posting, fp string) (*honour.Entry, error) {
	uid, actor := actorRef(a)
	e := honour.Entry{Village: village, Campaign: p.Campaign, Kind: p.Kind, Ref: p.Ref, Party: p.Party, Named: p.Named, Amount: p.Amount, Method: p.Method,
		Day: p.Day, Receipt: p.Receipt, Evidence: p.Evidence, Key: p.Key, ActorID: uid, Actor: actor, At: time.UnixMilli(tx.nowMS())}
	const next = `UPDATE fund_heads SET last_seq = last_seq + 1 WHERE village_code = ? RETURNING last_seq, last_hash`
	err := tx.queryRow(ctx, next, village).Scan(&e.Seq, &e.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := tx.exec(ctx, `INSERT INTO fund_heads (village_code, last_seq, last_hash) VALUES (?, 0, '') ON CONFLICT (village_code) DO NOTHING`, village); err != nil {
			return nil, err
		}
		err = tx.queryRow(ctx, next, village).Scan(&e.Seq, &e.PrevHash)
	}
	if err != nil {
		return nil, err
	}
	kv, key, err := tx.chainKey()
	if err != nil {
		return nil, err
	}
	e.KV = kv
	e.Hash = fundMAC(key, e.PrevHash, e)
	e.ID, err = tx.insertID(ctx, `INSERT INTO fund_entries (village_code, seq, campaign_id, kind, ref_id, party, named, amount, method, day, receipt, evidence,
		idem_key, fingerprint, actor_id, actor_name, at, prev_hash, hash, kv) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		village, e.Seq, e.Campaign, string(e.Kind), e.Ref, e.Party, flag(e.Named), e.Amount, string(e.Method), e.Day, e.Receipt, e.Evidence,
		e.Key, fp, uid, actor, e.At.UnixMilli(), e.PrevHash, e.Hash, e.KV)
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, `UPDATE fund_heads SET last_hash = ? WHERE village_code = ?`, e.Hash, village); err != nil {
		return nil, err
	}
	return &e, nil
}

// FundCheck walks every village's fundraising ledger in order, checking
// each entry's place and keyed hash, recomputes every campaign's raised,
// disbursed and balance from its entries, and checks the two-person rule
// and the heads: an entry edited in SQL, deleted or inserted shows here.
func (db *DB) FundCheck(ctx context.Context) (Findings, error) {
	f := Findings{Checked: i18n.M("verify.fund_checked")}
	err := db.view(ctx, func(tx *Tx) error {
		type head struct {
			seq  int64
			hash string
		}
		type sums struct{ raised, spent, moved int64 }
		heads := map[string]head{}
		camp := map[int64]*sums{}
		donors := map[int64]int64{} // donation → the official who entered it
		amounts := map[int64]int64{}
		n := 0
		err := eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
			e, err := scanFundEntry(r)
			if err != nil {
				return err
			}
			n++
			h := heads[e.Village]
			switch {
			case e.Seq != h.seq+1:
				f.add("verify.fund_gap", e.Village, e.Seq, h.seq)
			case e.PrevHash != h.hash:
				f.add("verify.fund_prev", e.Village, e.Seq)
			default:
				if key, err := tx.chainKeyOf(e.KV); err != nil {
					f.add("verify.fund_key", e.Village, e.Seq, err.Error())
				} else if fundMAC(key, h.hash, e) != e.Hash {
					f.add("verify.fund_hash", e.Village, e.Seq, e.ID)
				}
			}
			heads[e.Village] = head{e.Seq, e.Hash}
			s := camp[e.Campaign]
			if s == nil {
				s = &sums{}
				camp[e.Campaign] = s
			}
			switch e.Kind {
			case honour.Donation:
				donors[e.ID], amounts[e.ID] = e.ActorID, e.Amount
			case honour.Confirmation:
				if donors[e.Ref] == e.ActorID {
					f.add("verify.fund_self", e.Village, e.Seq)
				}
				if amounts[e.Ref] != e.Amount {
					f.add("verify.fund_confirm_amount", e.Village, e.Seq, e.Amount, amounts[e.Ref])
				}
				s.raised += e.Amount
			case honour.Disbursement:
				s.spent += e.Amount
			case honour.Transfer:
				s.moved += e.Amount
			}
			return nil
		}, `SELECT `+fundCols+` FROM fund_entries e ORDER BY e.village_code, e.seq`)
		if err != nil {
			return err
		}
		err = eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
			var v, hash string
			var seq int64
			if err := r.Scan(&v, &seq, &hash); err != nil {
				return err
			}
			if h := heads[v]; h.seq != seq || h.hash != hash {
				f.add("verify.fund_head", v, seq, h.seq)
			}
			return nil
		}, `SELECT village_code, last_seq, last_hash FROM fund_heads ORDER BY village_code`)
		if err != nil {
			return err
		}
		err = eachRow(ctx, tx, func(r interface{ Scan(...any) error }) error {
			var id, raised, spent, balance int64
			var status string
			if err := r.Scan(&id, &raised, &spent, &balance, &status); err != nil {
				return err
			}
			s := camp[id]
			if s == nil {
				s = &sums{}
			}
			if s.raised != raised || s.spent != spent || s.raised-s.spent-s.moved != balance || balance < 0 || status == string(honour.CampaignClosed) && balance != 0 {
				f.add("verify.fund_totals", id, honour.Yuan(raised), honour.Yuan(spent), honour.Yuan(balance), honour.Yuan(s.raised), honour.Yuan(s.spent), honour.Yuan(s.raised-s.spent-s.moved))
			}
			return nil
		}, `SELECT id, raised, spent, balance, status FROM fund_campaigns ORDER BY id`)
		f.Checked = i18n.M("verify.fund_checked", n)
		return err
	})
	return f, err
}
