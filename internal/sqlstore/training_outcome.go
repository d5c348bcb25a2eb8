package sqlstore

import (
	"context"

	"shanzhi/internal/access"
	"shanzhi/internal/fault"
	"shanzhi/internal/training"
)

var _ training.Evaluating = (*TrainingService)(nil)

func notYet() error { return fault.E(fault.Invalid, "error.not_found") }

// EvaluationSheet is the class's trainees with their evaluations,
// outcomes and certificates.
func (s *TrainingService) EvaluationSheet(ctx context.Context, a *access.Actor, class int64) (*training.Sheet, error) {
	return nil, notYet()
}

// SetRules changes the class's rules.
func (s *TrainingService) SetRules(ctx context.Context, a *access.Actor, class int64, r training.Rules) (*training.Sheet, error) {
	return nil, notYet()
}

// SetEscort names the class's 跟班干部's account.
func (s *TrainingService) SetEscort(ctx context.Context, a *access.Actor, class int64, username string) (*training.Sheet, error) {
	return nil, notYet()
}

// Evaluate enters evaluations, all or none.
func (s *TrainingService) Evaluate(ctx context.Context, a *access.Actor, class int64, in []training.EvaluationInput) (*training.Sheet, error) {
	return nil, notYet()
}

// ImportExam enters a sheet of exam scores, all or none.
func (s *TrainingService) ImportExam(ctx context.Context, a *access.Actor, class int64, rows []training.ExamRow, commit bool) ([]training.ExamRow, error) {
	return nil, notYet()
}

// ComputeOutcomes applies the class's rules.
func (s *TrainingService) ComputeOutcomes(ctx context.Context, a *access.Actor, class int64) (*training.Sheet, error) {
	return nil, notYet()
}

// ConfirmOutcomes fixes the computed outcomes.
func (s *TrainingService) ConfirmOutcomes(ctx context.Context, a *access.Actor, class int64) (*training.Sheet, error) {
	return nil, notYet()
}

// IssueCertificates issues certificates of confirmed outcomes.
func (s *TrainingService) IssueCertificates(ctx context.Context, a *access.Actor, class int64, enrolments []int64) ([]training.Certificate, error) {
	return nil, notYet()
}

// Certificate returns one certificate.
func (s *TrainingService) Certificate(ctx context.Context, a *access.Actor, id int64) (*training.Certificate, error) {
	return nil, notYet()
}

// RevokeCertificate revokes a certificate, with a reason.
func (s *TrainingService) RevokeCertificate(ctx context.Context, a *access.Actor, id int64, reason string) (*training.Certificate, error) {
	return nil, notYet()
}

// VerifyCertificate finds a certificate by its QR token.
func (s *TrainingService) VerifyCertificate(ctx context.Context, token string) (*training.Certificate, error) {
	return nil, notYet()
}

// CadreCertificates lists a cadre's certificates.
func (s *TrainingService) CadreCertificates(ctx context.Context, a *access.Actor, cadre int64) ([]training.Certificate, error) {
	return nil, notYet()
}
