package training

import (
	"context"
	"time"
	"unicode/utf8"

	"shanzhi/internal/fault"
)

// MaxRatingComment bounds a rating's comment, in characters.
const MaxRatingComment = 200

// Rating is a trainee's score, 1 to 5, for the teacher of a session they
// attended: what the teacher pool's trainee ratings are made of.
type Rating struct {
	Session int64     `json:"session"`
	Teacher int64     `json:"teacher"`
	Score   int       `json:"score"`
	Comment string    `json:"comment,omitempty"`
	At      time.Time `json:"at"`
}

// Check refuses a score outside 1–5 and an overlong comment.
func (r Rating) Check() error {
	var fs fault.Fields
	if r.Score < 1 || r.Score > 5 {
		fs.Add("score", "training.rating.score")
	}
	if utf8.RuneCountInString(r.Comment) > MaxRatingComment {
		fs.Add("comment", "training.rating.comment", MaxRatingComment)
	}
	return fs.Err()
}

// Rater is the trainees' side of the teacher pool: through their personal
// link, once per session they attended that had a teacher. What they
// rated comes with the rest of their page (Trainee.Rated).
type Rater interface {
	Rate(ctx context.Context, cred string, r Rating) (*Rating, error)
}
