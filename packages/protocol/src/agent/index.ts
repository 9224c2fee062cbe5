// Agent enrolment and per-connection authentication messages (Edge Agent issue).
export {};
