-- The payments sandbox gets its own database beside the application database.
CREATE DATABASE payments OWNER payinvest;
