package locale

func init() {
	defineAll(map[string][2]string{
		"field.survey_invitation_count": {"邀请数量", "Number of invitations"},
		"action.add_invitations":        {"追加邀请", "invitations added"},
	})
}
