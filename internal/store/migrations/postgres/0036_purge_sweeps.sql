-- The retention purge blanks the copies of a purged answer's personal data: invitations'
-- households, paper entries, follow-up texts and earlier versions. Each night it swept a due
-- campaign's rows whole to find the few not blank yet (2.3 million invitations a campaign at
-- N=100, seconds holding the writer). These indexes hold only the rows not blank yet, so a
-- sweep reads what is left to do; the purge's statements repeat each condition word for word.
CREATE INDEX survey_invitations_household ON survey_invitations(campaign_id) WHERE household <> '';
CREATE INDEX survey_entries_unpurged ON survey_entries(invitation_id) WHERE payload <> '{}';
CREATE INDEX survey_followups_text ON survey_followups(answer_id) WHERE (cause <> '' OR action <> '' OR outcome <> '' OR escalation <> '' OR check_note <> '');
CREATE INDEX survey_answer_versions_unpurged ON survey_answer_versions(answer_id) WHERE purged_at IS NULL;
