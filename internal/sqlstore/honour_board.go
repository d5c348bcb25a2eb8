package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/honour"
	"shanzhi/internal/photo"
	"shanzhi/internal/points"
	"shanzhi/internal/regioncode"
	"shanzhi/internal/registry"
	"shanzhi/internal/review"
)

// HonourService implements honour.BoardService: the boards, their
// editions, and the nominations it hands to the review engine.
type HonourService struct {
	db     *DB
	review *ReviewService
}

// Honours returns the store's honour boards, deciding nominations through
// rev.
func (db *DB) Honours(rev *ReviewService) *HonourService { return &HonourService{db: db, review: rev} }

var _ honour.BoardService = (*HonourService)(nil)

// honourReader reports whether a may keep watch over the boards of
// region: its officials. Villagers read boards as the public does (a nil
// actor) and their own honours through their household.
func honourReader(a *access.Actor, region string) bool {
	return a.Can(access.RegistryRead, region) || a.Can(access.HonourManage, region)
}

const boardSelect = `SELECT b.id, b.region_code, r.name, b.name, b.kind, b.period_kind, b.aspect, b.item, b.min_points, b.size, b.created_by, b.created_at
	FROM honour_boards b JOIN regions r ON r.code = b.region_code`

func scanBoard(s interface{ Scan(...any) error }) (honour.Board, error) {
	var b honour.Board
	var at int64
	err := s.Scan(&b.ID, &b.Region, &b.RegionName, &b.Name, &b.Kind, &b.Period, &b.Aspect, &b.Item, &b.MinPoints, &b.Size, &b.CreatedBy, &at)
	b.Created = time.UnixMilli(at)
	return b, err
}

// boardFor loads a board a may read (a nil a is the public page, which
// reads every board), and may keep when manage is set.
func (tx *Tx) boardFor(ctx context.Context, a *access.Actor, id int64, manage bool) (*honour.Board, error) {
	b, err := scanBoard(tx.queryRow(ctx, boardSelect+` WHERE b.id = ?`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return nil, err
	case a != nil && !honourReader(a, b.Region):
		return nil, fault.E(fault.NotFound, "error.not_found")
	case manage && !a.Can(access.HonourManage, b.Region):
		return nil, fault.E(fault.Forbidden, "error.forbidden")
	}
	return &b, nil
}

// CreateBoard defines a board of a village or township.
func (s *HonourService) CreateBoard(ctx context.Context, a *access.Actor, in honour.BoardInput) (*honour.Board, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if !a.Can(access.HonourManage, in.Region) {
		return nil, fault.OnField(fault.Forbidden, "region", "error.forbidden")
	}
	var out *honour.Board
	err := s.db.update(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM honour_boards WHERE region_code = ? AND name = ?`, in.Region, in.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fault.OnField(fault.Conflict, "name", "honour.board.taken", in.Name)
		}
		_, actor := actorRef(a)
		id, err := tx.insertID(ctx, `INSERT INTO honour_boards (region_code, name, kind, period_kind, aspect, item, min_points, size, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Region, in.Name, string(in.Kind), string(in.Period), in.Aspect, in.Item, in.MinPoints, in.Size, actor, tx.nowMS())
		if err != nil {
			return err
		}
		if out, err = tx.boardFor(ctx, a, id, false); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "honour.board", target: fmt.Sprintf("board:%d", id), region: in.Region,
			detail: fmt.Sprintf("%s %s/%s aspect=%s item=%s min=%d size=%d", in.Name, in.Kind, in.Period, in.Aspect, in.Item, in.MinPoints, in.Size)})
	})
	return out, err
}

// Boards lists the boards of region and, for a village, of its township.
func (s *HonourService) Boards(ctx context.Context, a *access.Actor, region string) ([]honour.Board, error) {
	if a != nil && (!regioncode.ValidCode(region) || !honourReader(a, region)) {
		return nil, fault.E(fault.NotFound, "region.not_found")
	}
	var out []honour.Board
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		codes := []any{region, region}
		if regioncode.LevelOf(region) == regioncode.Village {
			n := regioncode.PrefixLen(regioncode.Township)
			codes[1] = region[:n] + strings.Repeat("0", len(region)-n)
		}
		out, err = queryAll(ctx, tx, scanBoard, boardSelect+` WHERE b.region_code IN (?, ?) ORDER BY b.region_code DESC, b.id`, codes...)
		return err
	})
	return out, err
}

// Board returns one board.
func (s *HonourService) Board(ctx context.Context, a *access.Actor, id int64) (*honour.Board, error) {
	var out *honour.Board
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = tx.boardFor(ctx, a, id, false)
		return err
	})
	return out, err
}

const honourSelect = `SELECT h.id, h.board_id, b.name, b.region_code, h.period, h.household_id, h.village_code, h.person, h.place, h.points, h.citation, h.nomination_id, h.created_at
	FROM honours h JOIN honour_boards b ON b.id = h.board_id`

func scanHonour(s interface{ Scan(...any) error }) (honour.Honour, error) {
	var h honour.Honour
	var at int64
	err := s.Scan(&h.ID, &h.Board, &h.BoardName, &h.Region, &h.Period, &h.Household, &h.Village, &h.Person, &h.Place, &h.Points, &h.Citation, &h.Nomination, &at)
	h.Created = time.UnixMilli(at)
	return h, err
}

// Edition returns a board's period; a nil a is the public page.
func (s *HonourService) Edition(ctx context.Context, a *access.Actor, board int64, period string) (*honour.Edition, error) {
	var out *honour.Edition
	err := s.db.view(ctx, func(tx *Tx) error {
		b, err := tx.boardFor(ctx, a, board, false)
		if err != nil {
			return err
		}
		out, err = tx.edition(ctx, b, period)
		return err
	})
	return out, err
}

// edition reads a period's published honours, or computes a computed
// board's standings when the period is not published yet.
func (tx *Tx) edition(ctx context.Context, b *honour.Board, period string) (*honour.Edition, error) {
	months, err := honour.ParsePeriod(b.Period, period)
	if err != nil {
		return nil, err
	}
	e := &honour.Edition{Board: *b, Period: period}
	var at int64
	err = tx.queryRow(ctx, `SELECT published_by, published_at FROM honour_periods WHERE board_id = ? AND period = ?`, b.ID, period).Scan(&e.Publisher, &at)
	switch {
	case err == nil:
		e.Published = time.UnixMilli(at)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	if b.Kind == honour.Computed && e.Published.IsZero() {
		e.Honours, err = tx.standings(ctx, b, period, months)
		return e, err
	}
	e.Honours, err = queryAll(ctx, tx, scanHonour, honourSelect+` WHERE h.board_id = ? AND h.period = ? ORDER BY h.place, h.id`, b.ID, period)
	for i := 0; err == nil && i < len(e.Honours); i++ {
		if e.Honours[i].Nomination == 0 {
			continue
		}
		// An honour is an approved nomination, so its photos are public
		// exactly when its nominee said so.
		e.Honours[i].Photos, err = column[int64](ctx, tx, `SELECT p.id FROM honour_photos p JOIN honour_nominations n ON n.id = p.nomination_id
			WHERE n.id = ? AND n.photos_public = 1 ORDER BY p.id`, e.Honours[i].Nomination)
	}
	return e, err
}

// standings ranks the households under a computed board's region by the
// approved points of its aspect over the period's months or year, from
// the Moral Bank's maintained totals: the size-th household's points
// are found first, so that everyone tied with it is placed too.
func (tx *Tx) standings(ctx context.Context, b *honour.Board, period string, months []string) ([]honour.Honour, error) {
	asp, err := tx.aspectArg(ctx, b.Aspect)
	if err != nil {
		return nil, err
	}
	args := []any{asp}
	for _, m := range months {
		args = append(args, periodArg(m))
	}
	// Each month's range of each of the region's villages is read by key
	// (migration 0047).
	villages, vargs, err := tx.inVillages(ctx, b.Region, true)
	if err != nil {
		return nil, err
	}
	args = append(args, vargs...)
	sums := `SELECT t.household_id, SUM(t.points) AS pts FROM points_totals t WHERE t.aspect = ? AND t.period IN ` + placeholders(1, len(months)) +
		villages + ` GROUP BY t.household_id`
	var cut int64
	err = tx.queryRow(ctx, `SELECT pts FROM (`+sums+`) x ORDER BY pts DESC LIMIT 1 OFFSET `+fmt.Sprint(b.Size-1), args...).Scan(&cut)
	if errors.Is(err, sql.ErrNoRows) {
		cut = 1
	} else if err != nil {
		return nil, err
	}
	floor := max(cut, b.MinPoints, 1)
	rows, err := tx.query(ctx, `SELECT x.household_id, h.village_code, COALESCE(r.name, ''), COALESCE(r.birth_date, ''), x.pts FROM (`+sums+`) x
		JOIN households h ON h.id = x.household_id LEFT JOIN residents r ON r.id = h.head_id
		WHERE x.pts >= ? ORDER BY x.pts DESC, x.household_id`, append(args, floor)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ss []honour.Standing
	var out []honour.Honour
	for rows.Next() {
		var h honour.Honour
		var birth string
		if err := rows.Scan(&h.Household, &h.Village, &h.Person, &birth, &h.Points); err != nil {
			return nil, err
		}
		if registry.Minor(birth, tx.now) {
			// A minor head is placed but never named, here or on the poster.
			h.Person = ""
		}
		h.Board, h.BoardName, h.Region, h.Period = b.ID, b.Name, b.Region, period
		ss = append(ss, honour.Standing{Household: h.Household, Points: h.Points})
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	places := honour.Place(ss, b.Size, b.MinPoints)
	out = out[:len(places)]
	for i := range out {
		out[i].Place = places[i]
	}
	return out, nil
}

// Publish fixes a board's period. A computed board's standings become
// honours on the households' records; a nominated board's period, whose
// honours the committee approved one by one, closes to nominations. When
// the board names a scheme item, each household on the period gets an
// award of it, recorded by the publisher and decided by the committee
// like any award: the one way points reach the ledger.
func (s *HonourService) Publish(ctx context.Context, a *access.Actor, board int64, period string) (*honour.Edition, error) {
	var out *honour.Edition
	err := s.db.update(ctx, func(tx *Tx) error {
		b, err := tx.boardFor(ctx, a, board, true)
		if err != nil {
			return err
		}
		e, err := tx.edition(ctx, b, period)
		if err != nil {
			return err
		}
		if !e.Published.IsZero() {
			return fault.E(fault.Conflict, "honour.publish.done", period)
		}
		if b.Kind == honour.Nominated {
			// A nomination still in review would otherwise land on a
			// period whose points were already posted, and get none.
			var pending int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM honour_nominations WHERE board_id = ? AND period = ? AND status = ?`,
				b.ID, period, string(honour.NomInReview)).Scan(&pending); err != nil {
				return err
			}
			if pending > 0 {
				return fault.E(fault.Conflict, "honour.publish.pending", pending)
			}
		}
		if len(e.Honours) == 0 {
			return fault.E(fault.Conflict, "honour.publish.empty", period)
		}
		_, actor := actorRef(a)
		// The period's row is written first: a second publisher racing
		// this one fails on its key, and nothing of theirs is written.
		if _, err := tx.exec(ctx, `INSERT INTO honour_periods (board_id, period, published_by, published_at) VALUES (?, ?, ?, ?)`, b.ID, period, actor, tx.nowMS()); err != nil {
			if isUniqueViolation(err) {
				return fault.E(fault.Conflict, "honour.publish.done", period)
			}
			return err
		}
		for _, h := range e.Honours {
			// A computed honour's citation is its points, which the pages
			// word in the reader's language; only a nomination's is text,
			// and a nominated honour is on the record already.
			if b.Kind == honour.Computed {
				if _, err := tx.exec(ctx, `INSERT INTO honours (board_id, period, household_id, village_code, person, place, points, citation, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)`,
					b.ID, period, h.Household, h.Village, h.Person, h.Place, h.Points, tx.nowMS()); err != nil {
					return err
				}
			}
			if b.Item == "" {
				continue
			}
			in, err := prepareAward(a, points.AwardInput{Key: fmt.Sprintf("honour:%d:%s", b.ID, period), Household: h.Household, Item: b.Item,
				Channel: points.Committee, Evidence: b.Name + " " + period, Witness: b.Name}, tx.now)
			if err == nil {
				_, err = s.db.Awards(s.review).recordTx(ctx, tx, a, in)
			}
			if err != nil {
				return err
			}
		}
		if out, err = tx.edition(ctx, b, period); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "honour.publish", target: fmt.Sprintf("board:%d", b.ID), region: b.Region,
			detail: fmt.Sprintf("%s %s: %d households", b.Name, period, len(out.Honours))})
	})
	return out, err
}

// Periods lists a board's published periods, newest first: a computed
// board's publications, a nominated board's periods with an honour.
func (s *HonourService) Periods(ctx context.Context, a *access.Actor, board int64) ([]string, error) {
	var out []string
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.boardFor(ctx, a, board, false); err != nil {
			return err
		}
		var err error
		out, err = column[string](ctx, tx, `SELECT period FROM honour_periods WHERE board_id = ? UNION SELECT period FROM honours WHERE board_id = ? ORDER BY 1 DESC`, board, board)
		return err
	})
	return out, err
}

// HouseholdHonours lists a household's honours for those who read its
// record and for its own villager.
func (s *HonourService) HouseholdHonours(ctx context.Context, a *access.Actor, household int64) ([]honour.Honour, error) {
	return householdRows(ctx, s.db, a, household, scanHonour, honourSelect+` WHERE h.household_id = ? ORDER BY h.created_at DESC, h.id DESC`)
}

// householdRows reads rows about one household (its query's one argument)
// for those who may read the household's points: its officials, the
// counter's clerks and its own villager.
func householdRows[T any](ctx context.Context, db *DB, a *access.Actor, household int64, scan func(interface{ Scan(...any) error }) (T, error), query string) ([]T, error) {
	var out []T
	err := db.view(ctx, func(tx *Tx) error {
		if _, err := tx.ledgerReader(ctx, a, household); err != nil {
			return err
		}
		var err error
		out, err = queryAll(ctx, tx, scan, query, household)
		return err
	})
	return out, err
}

// Nominate records a nomination and submits it to the committee: staff
// nominate in their villages, a villager in their own.
func (s *HonourService) Nominate(ctx context.Context, a *access.Actor, in honour.NominationInput) (*honour.Nomination, error) {
	photos, scan, err := checkNomination(&in)
	if err != nil {
		return nil, err
	}
	var out *honour.Nomination
	err = s.db.update(ctx, func(tx *Tx) error {
		// A board is public; who may nominate on it is decided below, by
		// the household's village.
		b, err := tx.boardFor(ctx, nil, in.Board, false)
		if err != nil {
			return err
		}
		if !honourReader(a, b.Region) && !a.Can(access.OwnHousehold, b.Region) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		out, err = s.nominate(ctx, tx, a, b, in, photos, scan)
		return err
	})
	return out, err
}

// checkNomination normalises and validates a nomination and checks and
// re-encodes its photos and its consent's scan, all before the
// transaction: a bad photo or scan refuses the whole nomination, and
// decoding holds no lock.
func checkNomination(in *honour.NominationInput) ([]cleanedPhoto, cleanedPhoto, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, cleanedPhoto{}, err
	}
	photos := make([]cleanedPhoto, len(in.Photos))
	for i, data := range in.Photos {
		var err error
		if photos[i].ctype, photos[i].data, photos[i].thumb, err = cleanPhoto(data); err != nil {
			return nil, cleanedPhoto{}, err
		}
	}
	var scan cleanedPhoto
	var err error
	scan.ctype, scan.data, err = cleanScan(in.Scan)
	return photos, scan, err
}

// nominate is Nominate's transaction once the board is known and the
// actor may see it: the rules every channel shares.
func (s *HonourService) nominate(ctx context.Context, tx *Tx, a *access.Actor, b *honour.Board, in honour.NominationInput, photos []cleanedPhoto, scan cleanedPhoto) (out *honour.Nomination, err error) {
	err = func() error {
		if b.Kind != honour.Nominated {
			return fault.E(fault.Conflict, "honour.nomination.computed")
		}
		if _, err := honour.ParsePeriod(b.Period, in.Period); err != nil {
			return err
		}
		var closed int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM honour_periods WHERE board_id = ? AND period = ?`, b.ID, in.Period).Scan(&closed); err != nil {
			return err
		}
		if closed > 0 {
			return fault.OnField(fault.Conflict, "period", "honour.nomination.closed", in.Period)
		}
		if in.Household == 0 {
			lo, hi := regioncode.Range(b.Region)
			ids, err := tx.ids(ctx, `SELECT id FROM households WHERE village_code >= ? AND village_code < ? AND number = ?`, lo, hi, strings.TrimSpace(in.Number))
			if err != nil {
				return err
			}
			if len(ids) != 1 {
				return fault.OnField(fault.Invalid, "household", "honour.nomination.household")
			}
			in.Household = ids[0]
		}
		var village, head, status string
		err = tx.queryRow(ctx, `SELECT h.village_code, COALESCE(r.name, ''), h.status FROM households h LEFT JOIN residents r ON r.id = h.head_id WHERE h.id = ?`,
			in.Household).Scan(&village, &head, &status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !regioncode.Covers(b.Region, village) {
			return fault.OnField(fault.Invalid, "household", "honour.nomination.household")
		}
		if err != nil {
			return err
		}
		if status != string(registry.HouseholdActive) {
			return fault.OnField(fault.Conflict, "household", "registry.household.inactive")
		}
		if !a.Can(access.HonourManage, village) && !(a.Can(access.OwnHousehold, village) && in.NominatorKind == honour.ByVillager) {
			return fault.E(fault.Forbidden, "error.forbidden")
		}
		nominee := head
		if in.Nominee != "" {
			var n int
			if err := tx.queryRow(ctx, `SELECT count(*) FROM residents WHERE household_id = ? AND name = ? AND status = ?`, in.Household, in.Nominee, string(registry.HouseholdActive)).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fault.OnField(fault.Invalid, "nominee", "honour.nomination.nominee")
			}
			nominee = in.Nominee
		}
		var open int
		if err := tx.queryRow(ctx, `SELECT count(*) FROM honour_nominations WHERE board_id = ? AND period = ? AND household_id = ? AND status <> ?`,
			b.ID, in.Period, in.Household, string(honour.NomRefused)).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return fault.OnField(fault.Conflict, "household", "honour.nomination.twice")
		}
		_, actor := actorRef(a)
		now := tx.nowMS()
		id, err := tx.insertID(ctx, `INSERT INTO honour_nominations (board_id, village_code, period, household_id, nominee, deed, citation, nominator_kind, nominator,
			consent, consent_date, photos_public, status, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			b.ID, village, in.Period, in.Household, nominee, in.Deed, in.Citation, string(in.NominatorKind), in.Nominator, string(in.Consent), in.ConsentDate,
			boolInt(in.PhotosPublic), string(honour.NomInReview), actor, now, now)
		if err != nil {
			return err
		}
		for _, p := range photos {
			sum := sha256.Sum256(p.data)
			if _, err := tx.exec(ctx, `INSERT INTO honour_photos (nomination_id, content_type, size, sha256, data, thumb, actor_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				id, p.ctype, len(p.data), hex.EncodeToString(sum[:]), p.data, p.thumb, actor, now); err != nil {
				return err
			}
		}
		if scan.data != nil {
			if _, err := tx.insertScan(ctx, a, honour.NominationScanKind, id, in.Household, village, scan.ctype, scan.data); err != nil {
				return err
			}
		}
		it, err := s.review.SubmitTx(ctx, tx, a, honour.NominationFlow, honour.SubjectKind, id, village,
			review.Summary{Title: b.Name + " " + in.Period, Person: review.MaskName(nominee), Note: in.Citation})
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE honour_nominations SET review_id = ? WHERE id = ?`, it.ID, id); err != nil {
			return err
		}
		if out, err = tx.nomination(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, a, auditEntry{action: "honour.nominate", target: fmt.Sprintf("nomination:%d household:%d", id, in.Household), region: village,
			detail: fmt.Sprintf("%s %s consent=%s/%s by %s %s photos=%d public=%t scan %s %d bytes", b.Name, in.Period, in.Consent, in.ConsentDate, in.NominatorKind, in.Nominator,
				len(photos), in.PhotosPublic, scan.ctype, len(scan.data))})
	}()
	return out, err
}

const nominationSelect = `SELECT n.id, n.board_id, b.name, n.village_code, n.period, n.household_id, n.nominee, n.deed, n.citation, n.nominator_kind, n.nominator,
	n.consent, n.consent_date, n.status, n.review_id, n.created_by, n.created_at, n.photos_public, n.channel, n.nominator_phone_masked
	FROM honour_nominations n JOIN honour_boards b ON b.id = n.board_id`

func scanNomination(s interface{ Scan(...any) error }) (honour.Nomination, error) {
	var n honour.Nomination
	var at, public int64
	err := s.Scan(&n.ID, &n.Board, &n.BoardName, &n.Village, &n.Period, &n.Household, &n.Nominee, &n.Deed, &n.Citation, &n.NominatorKind, &n.Nominator,
		&n.Consent, &n.ConsentDate, &n.Status, &n.ReviewID, &n.CreatedBy, &at, &public, &n.Channel, &n.NominatorPhone)
	n.Created, n.PhotosPublic = time.UnixMilli(at), public == 1
	return n, err
}

// cleanedPhoto is a nomination's photo as cleanPhoto left it.
type cleanedPhoto struct {
	ctype       string
	data, thumb []byte
}

func (tx *Tx) nomination(ctx context.Context, id int64) (*honour.Nomination, error) {
	n, err := scanNomination(tx.queryRow(ctx, nominationSelect+` WHERE n.id = ?`, id))
	if err == nil {
		n.PhotoIDs, err = tx.nominationPhotos(ctx, id)
	}
	return &n, err
}

func (tx *Tx) nominationPhotos(ctx context.Context, nomination int64) ([]int64, error) {
	return column[int64](ctx, tx, `SELECT id FROM honour_photos WHERE nomination_id = ? ORDER BY id`, nomination)
}

// NominationPhoto returns a deed photo, or its thumbnail when small: to
// anyone once its nomination is approved and the nominee agreed to show
// the photos in public (a nil a is the public page), and otherwise to the
// officials of the nomination's village, who decide on it. A board other
// than 0 is the one the photo's nomination must be on.
func (s *HonourService) NominationPhoto(ctx context.Context, a *access.Actor, board, id int64, small bool) (string, []byte, error) {
	var ctype, village, status string
	var public int64
	var data, thumb []byte
	err := s.db.view(ctx, func(tx *Tx) error {
		return tx.queryRow(ctx, `SELECT p.content_type, p.data, p.thumb, n.village_code, n.status, n.photos_public FROM honour_photos p
			JOIN honour_nominations n ON n.id = p.nomination_id WHERE p.id = ? AND (? = 0 OR n.board_id = ?)`, id, board, board).Scan(&ctype, &data, &thumb, &village, &status, &public)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil, fault.E(fault.NotFound, "error.not_found")
	case err != nil:
		return "", nil, err
	case !(public == 1 && status == string(honour.NomPublished)) && (a == nil || !honourReader(a, village)):
		return "", nil, fault.E(fault.NotFound, "error.not_found")
	case small:
		return photo.JPEG, thumb, nil
	}
	return ctype, data, nil
}

// Nominations lists a board's nominations of a period in the villages a
// reads (all of them, for its officials).
func (s *HonourService) Nominations(ctx context.Context, a *access.Actor, board int64, period string) ([]honour.Nomination, error) {
	var out []honour.Nomination
	err := s.db.view(ctx, func(tx *Tx) error {
		if _, err := tx.boardFor(ctx, a, board, false); err != nil {
			return err
		}
		all, err := queryAll(ctx, tx, scanNomination, nominationSelect+` WHERE n.board_id = ? AND n.period = ? ORDER BY n.id`, board, period)
		if err != nil {
			return err
		}
		for _, n := range all {
			if !a.Can(access.RegistryRead, n.Village) && !a.Can(access.HonourManage, n.Village) {
				continue
			}
			if n.PhotoIDs, err = tx.nominationPhotos(ctx, n.ID); err != nil {
				return err
			}
			if scanMayOpen(a, n.Village, n.Household, false) {
				if n.Scans, err = tx.scansFor(ctx, honour.NominationScanKind, n.ID); err != nil {
					return err
				}
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// NominationScan returns a scan of the consent of a nomination on board
// to the officials who read the register of the nomination's village,
// and audits the view.
func (s *HonourService) NominationScan(ctx context.Context, a *access.Actor, board, scan int64) (string, []byte, error) {
	var ctype string
	var data []byte
	err := s.db.update(ctx, func(tx *Tx) error {
		var nomination, household int64
		var village string
		err := tx.queryRow(ctx, `SELECT n.id, n.household_id, n.village_code FROM consent_scans s JOIN honour_nominations n ON n.id = s.subject_id
			WHERE s.id = ? AND s.subject_kind = ? AND n.board_id = ?`, scan, honour.NominationScanKind, board).Scan(&nomination, &household, &village)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !scanMayOpen(a, village, household, false) {
			return fault.E(fault.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		ctype, data, err = tx.openScan(ctx, a, honour.NominationScanKind, "subject_id", nomination, scan, village, "honour.scan.view",
			fmt.Sprintf("board:%d nomination:%d household:%d", board, nomination, household))
		return err
	})
	return ctype, data, err
}

// HonourApplier hears a nomination's review end: approved, it becomes an
// honour on the household's record, with its citation; otherwise it is
// refused.
func (db *DB) HonourApplier() ReviewApplier {
	return func(ctx context.Context, tx *Tx, it review.Item) error {
		if it.SubjectKind != honour.SubjectKind {
			return nil
		}
		n, err := tx.nomination(ctx, it.SubjectID)
		if err != nil {
			return err
		}
		st := honour.NomRefused
		if it.State == review.Approved {
			st = honour.NomPublished
			if _, err := tx.exec(ctx, `INSERT INTO honours (board_id, period, household_id, village_code, person, place, points, citation, nomination_id, created_at)
				VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?) ON CONFLICT (board_id, period, household_id) DO NOTHING`,
				n.Board, n.Period, n.Household, n.Village, n.Nominee, n.Citation, n.ID, tx.nowMS()); err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, `UPDATE honour_nominations SET status = ?, updated_at = ? WHERE id = ?`, string(st), tx.nowMS(), n.ID)
		return err
	}
}
