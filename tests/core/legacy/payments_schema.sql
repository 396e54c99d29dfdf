CREATE TABLE banks (
	bic VARCHAR(11) NOT NULL, 
	name VARCHAR(120) NOT NULL, 
	country VARCHAR(2) NOT NULL, 
	city VARCHAR(80) NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	gpi BOOLEAN NOT NULL, 
	timezone VARCHAR(40) NOT NULL, 
	PRIMARY KEY (bic)
);
CREATE TABLE customers (
	id VARCHAR(16) NOT NULL, 
	name VARCHAR(140) NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	country VARCHAR(2) NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE accounts (
	id VARCHAR(16) NOT NULL, 
	iban VARCHAR(34), 
	account_number VARCHAR(34) NOT NULL, 
	customer_id VARCHAR(16) NOT NULL, 
	bank_bic VARCHAR(11) NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	holder_name VARCHAR(140) NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	opened_on DATE NOT NULL, 
	closed_on DATE, 
	PRIMARY KEY (id)
);
CREATE TABLE payments (
	id VARCHAR(12) NOT NULL, 
	uetr VARCHAR(36) NOT NULL, 
	end_to_end_id VARCHAR(35) NOT NULL, 
	instr_id VARCHAR(35) NOT NULL, 
	msg_id VARCHAR(35) NOT NULL, 
	tx_id VARCHAR(35) NOT NULL, 
	message_type VARCHAR(16) NOT NULL, 
	debtor_name VARCHAR(140) NOT NULL, 
	debtor_account VARCHAR(34) NOT NULL, 
	debtor_agent_bic VARCHAR(11) NOT NULL, 
	debtor_country VARCHAR(2) NOT NULL, 
	creditor_name VARCHAR(140) NOT NULL, 
	creditor_account VARCHAR(34) NOT NULL, 
	creditor_agent_bic VARCHAR(11) NOT NULL, 
	creditor_country VARCHAR(2) NOT NULL, 
	intermediary_bics TEXT NOT NULL, 
	instructed_amount NUMERIC(18, 2) NOT NULL, 
	instructed_currency VARCHAR(3) NOT NULL, 
	settled_amount NUMERIC(18, 2), 
	settled_currency VARCHAR(3) NOT NULL, 
	fx_rate FLOAT, 
	charge_bearer VARCHAR(4) NOT NULL, 
	requested_execution_date DATE NOT NULL, 
	value_date DATE, 
	settlement_at DATETIME, 
	status VARCHAR(4) NOT NULL, 
	status_reason VARCHAR(4), 
	remittance_info VARCHAR(140), 
	purpose VARCHAR(4), 
	created_at DATETIME NOT NULL, 
	scenario_id VARCHAR(64), 
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_payments_end_to_end_id ON payments (end_to_end_id);
CREATE INDEX ix_payments_scenario_id ON payments (scenario_id);
CREATE INDEX ix_payments_debtor_account ON payments (debtor_account, created_at);
CREATE INDEX ix_payments_status ON payments (status, status_reason);
CREATE INDEX ix_payments_creditor_account ON payments (creditor_account, created_at);
CREATE INDEX ix_payments_duplicate_key ON payments (debtor_account, creditor_account, instructed_amount);
CREATE INDEX ix_payments_created_at ON payments (created_at);
CREATE UNIQUE INDEX ix_payments_uetr ON payments (uetr);
CREATE TABLE tracker_events (
	id INTEGER NOT NULL, 
	payment_id VARCHAR(12) NOT NULL, 
	seq INTEGER NOT NULL, 
	agent_bic VARCHAR(11) NOT NULL, 
	received_at DATETIME NOT NULL, 
	forwarded_at DATETIME, 
	status VARCHAR(4) NOT NULL, 
	reason VARCHAR(4), 
	charges_amount NUMERIC(18, 2), 
	charges_currency VARCHAR(3), 
	fx_rate FLOAT, 
	forwarded_to_bic VARCHAR(11), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_tracker_events_payment_id ON tracker_events (payment_id, seq);
CREATE TABLE screening_hits (
	id VARCHAR(16) NOT NULL, 
	payment_id VARCHAR(12) NOT NULL, 
	list_name VARCHAR(40) NOT NULL, 
	matched_name VARCHAR(140) NOT NULL, 
	party VARCHAR(10) NOT NULL, 
	score FLOAT NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	created_at DATETIME NOT NULL, 
	resolved_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_screening_hits_payment_id ON screening_hits (payment_id);
CREATE TABLE holds (
	id VARCHAR(16) NOT NULL, 
	payment_id VARCHAR(12) NOT NULL, 
	kind VARCHAR(10) NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	reason VARCHAR(200) NOT NULL, 
	placed_at DATETIME NOT NULL, 
	released_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_holds_status ON holds (status);
CREATE INDEX ix_holds_payment_id ON holds (payment_id);
CREATE TABLE returns (
	id VARCHAR(16) NOT NULL, 
	payment_id VARCHAR(12) NOT NULL, 
	original_payment_id VARCHAR(12) NOT NULL, 
	reason_code VARCHAR(4) NOT NULL, 
	amount NUMERIC(18, 2) NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	returned_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_returns_original_payment_id ON returns (original_payment_id);
CREATE INDEX ix_returns_payment_id ON returns (payment_id);
CREATE TABLE cases (
	id VARCHAR(11) NOT NULL, 
	payment_id VARCHAR(12), 
	case_type VARCHAR(32) NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	opened_at DATETIME NOT NULL, 
	closed_at DATETIME, 
	resolution_code VARCHAR(8), 
	summary VARCHAR(500) NOT NULL, 
	assigned_to VARCHAR(40), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_cases_status ON cases (status, case_type);
CREATE INDEX ix_cases_payment_id ON cases (payment_id);
CREATE TABLE fx_rates (
	date DATE NOT NULL, 
	base VARCHAR(3) NOT NULL, 
	quote VARCHAR(3) NOT NULL, 
	rate FLOAT NOT NULL, 
	PRIMARY KEY (date, base, quote)
);
CREATE TABLE risk_scores (
	payment_id VARCHAR(12) NOT NULL, 
	score FLOAT NOT NULL, 
	flags TEXT NOT NULL, 
	model_version VARCHAR(40) NOT NULL, 
	PRIMARY KEY (payment_id)
);
CREATE TABLE seed_info (
	id INTEGER NOT NULL, 
	seed INTEGER NOT NULL, 
	payments INTEGER NOT NULL, 
	generator_version VARCHAR(20) NOT NULL, 
	created_at DATETIME NOT NULL, 
	elapsed_seconds FLOAT NOT NULL, 
	counts TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE actions (
	seq INTEGER NOT NULL, 
	id VARCHAR(16) NOT NULL, 
	idempotency_key VARCHAR(100) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	args_hash VARCHAR(64) NOT NULL, 
	args TEXT NOT NULL, 
	approval_ref VARCHAR(100) NOT NULL, 
	payment_id VARCHAR(12), 
	case_id VARCHAR(11), 
	message_type VARCHAR(20), 
	xml TEXT, 
	result TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (seq)
);
CREATE INDEX ix_actions_case_id ON actions (case_id);
CREATE UNIQUE INDEX ux_actions_idempotency_key ON actions (idempotency_key);
CREATE UNIQUE INDEX ux_actions_id ON actions (id);
CREATE INDEX ix_actions_payment_id ON actions (payment_id);
