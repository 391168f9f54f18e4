package api

// areaRoutes are the routes of the service areas (issue 17): each area's file lists its own,
// so that adding an area touches the route table in api.go not at all.
func areaRoutes(a *API) []route {
	var table []route
	for _, rs := range [][]route{
		complaintRoutes(a),
		bookingRoutes(a),
		callbackRoutes(a),
		workorderItemRoutes(a),
		surveyRoutes(a),
		inspectionRoutes(a),
		samplingRoutes(a),
		calendarRoutes(a),
		webhookRoutes(a),
		schemeRoutes(a),
		dutyRoutes(a),
		targetRoutes(a),
		assessmentRecordRoutes(a),
		improvementRoutes(a),
		meetingRoutes(a),
		pickerRoutes(a),
	} {
		table = append(table, rs...)
	}
	return table
}
