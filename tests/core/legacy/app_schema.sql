CREATE TABLE users (
	username VARCHAR(32) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	approval_limit_eur FLOAT, 
	active BOOLEAN NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	failed_logins INTEGER NOT NULL, 
	locked_until VARCHAR(40), 
	created_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (username)
);
CREATE TABLE audit_events (
	seq INTEGER NOT NULL, 
	ts VARCHAR(40) NOT NULL, 
	event_type VARCHAR(64) NOT NULL, 
	actor VARCHAR(128) NOT NULL, 
	conversation_id VARCHAR(128), 
	payload TEXT NOT NULL, 
	refs TEXT NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (seq), 
	CONSTRAINT uq_audit_prev_hash UNIQUE (prev_hash)
);
CREATE INDEX ix_audit_ts ON audit_events (ts);
CREATE INDEX ix_audit_type ON audit_events (event_type);
CREATE INDEX ix_audit_actor ON audit_events (actor);
CREATE INDEX ix_audit_conversation ON audit_events (conversation_id);
CREATE TABLE audit_head (
	id INTEGER NOT NULL, 
	seq INTEGER NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE sessions (
	token_hash VARCHAR(64) NOT NULL, 
	username VARCHAR(32) NOT NULL, 
	csrf_token VARCHAR(64) NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	expires_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY (token_hash)
);
CREATE INDEX ix_sessions_username ON sessions (username);
CREATE TABLE agent_conversations (
	thread_id VARCHAR(64) NOT NULL, 
	owner VARCHAR(64) NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	case_type VARCHAR(40), 
	"references" JSON NOT NULL, 
	turns INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (thread_id)
);
CREATE INDEX ix_agent_conversations_owner ON agent_conversations (owner);
CREATE TABLE agent_proposals (
	id VARCHAR(32) NOT NULL, 
	thread_id VARCHAR(64) NOT NULL, 
	turn INTEGER NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	args JSON NOT NULL, 
	reason_code VARCHAR(16) NOT NULL, 
	message_type VARCHAR(40), 
	iso_xml TEXT, 
	evidence_ids JSON NOT NULL, 
	explanation TEXT NOT NULL, 
	amount FLOAT, 
	currency VARCHAR(3), 
	status VARCHAR(16) NOT NULL, 
	requested_by VARCHAR(64) NOT NULL, 
	decided_by VARCHAR(64), 
	reason TEXT, 
	idempotency_key VARCHAR(64) NOT NULL, 
	revision INTEGER NOT NULL, 
	history JSON NOT NULL, 
	result JSON, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (idempotency_key)
);
CREATE INDEX ix_agent_proposals_thread_id ON agent_proposals (thread_id);
CREATE INDEX ix_agent_proposals_status ON agent_proposals (status);
CREATE TABLE agent_turns (
	thread_id VARCHAR(64) NOT NULL, 
	turn INTEGER NOT NULL, 
	user VARCHAR(64) NOT NULL, 
	message TEXT NOT NULL, 
	result JSON, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (thread_id, turn)
);
CREATE TABLE web_conversations (
	id VARCHAR(64) NOT NULL, 
	owner VARCHAR(32) NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	created_at VARCHAR(40) NOT NULL, 
	updated_at VARCHAR(40) NOT NULL, 
	submitted_at VARCHAR(40), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_web_conversations_owner ON web_conversations (owner);
CREATE TABLE controls (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	updated_by VARCHAR(64) NOT NULL, 
	updated_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY ("key")
);
