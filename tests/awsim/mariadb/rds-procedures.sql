-- The rds_* objects the stand-in installs in every server (tests/awsim/mariadb/):
-- the mysql.rds_configuration table and the mysql.rds_* procedures, each
-- SQL SECURITY DEFINER as root@localhost.
--
-- Read by mariadb/install.py, which runs the statements in order. Each ends
-- with $$ at the end of a line, as after DELIMITER $$ in the mariadb client;
-- the comment lines between statements are not sent to the server.
-- Procedure parameters are prefixed p_ because inside a routine a parameter
-- named like a column shadows the column.
--
-- Which procedures a server gets depends on the engine version it stands
-- for (its profile, see mariadb/install.py PROFILES). A line
-- "-- profiles: a b" right above a statement installs it only for those
-- profiles; a statement without one is installed for every profile.
-- Amazon RDS User Guide: "mysql.rds_set_external_master (RDS for MariaDB
-- and RDS for MySQL major versions 8.0 and lower)", "mysql.rds_set_external_source
-- (RDS for MySQL major versions 8.4 and higher)", likewise the
-- rds_reset_external_* pair; mysql.rds_set_external_master_gtid is RDS for
-- MariaDB's; mysql.rds_replica_status is "only supported for MariaDB DB
-- instances running MariaDB version 10.5 and higher".

DELIMITER $$

CREATE TABLE IF NOT EXISTS mysql.rds_configuration (
  name VARCHAR(100) NOT NULL PRIMARY KEY,
  value VARCHAR(100) DEFAULT NULL,
  description VARCHAR(300) NOT NULL
) ENGINE=InnoDB$$

INSERT IGNORE INTO mysql.rds_configuration (name, value, description) VALUES
('binlog retention hours', NULL,
 'binlog retention hours specifies the duration in hours before binary logs are automatically deleted.'),
('source delay', '0',
 'source delay specifies replication delay in seconds between current instance and its master.'),
('target delay', '0',
 'target delay specifies replication delay in seconds between current instance and its future read-replica.')$$

CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_set_configuration(
  IN p_name VARCHAR(100), IN p_value VARCHAR(100))
SQL SECURITY DEFINER
BEGIN
  DECLARE v_msg VARCHAR(255);
  IF p_name = 'binlog retention hours' THEN
    IF p_value IS NOT NULL AND (p_value NOT REGEXP '^[0-9]+$'
        OR CAST(p_value AS UNSIGNED) NOT BETWEEN 1 AND 168) THEN
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT =
        'For binlog retention hours the value must be between 1 and 168 inclusive or be NULL';
    END IF;
  ELSEIF p_name IN ('source delay', 'target delay') THEN
    IF p_value IS NULL OR p_value NOT REGEXP '^[0-9]+$'
        OR CAST(p_value AS UNSIGNED) > 86400 THEN
      SET v_msg = CONCAT('For ', p_name, ' the value must be between 0 and 86400 inclusive');
      SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_msg;
    END IF;
  ELSE
    SET v_msg = CONCAT('Invalid configuration name: ', IFNULL(p_name, 'NULL'));
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_msg;
  END IF;
  UPDATE mysql.rds_configuration
     SET value = IF(p_value IS NULL, NULL, CAST(CAST(p_value AS UNSIGNED) AS CHAR))
   WHERE name = p_name;
END$$

CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_show_configuration()
SQL SECURITY DEFINER
BEGIN
  SELECT name, value, description FROM mysql.rds_configuration ORDER BY name;
END$$

-- CHANGE MASTER takes only literals, so the statement is built as text and
-- run with EXECUTE IMMEDIATE (PREPARE + EXECUTE + DEALLOCATE in one; no
-- session variable keeps the password). QUOTE() makes each string a safe
-- literal, numbers go through typed parameters. MASTER_USE_GTID=no: file/position
-- replication as on MySQL. MASTER_CONNECT_RETRY=1 so a restarted source is found
-- again quickly.
-- each: name=rds_set_external_master profiles=mariadb10.4,mariadb10.5,mysql5.7,mysql8.0
-- each: name=rds_set_external_source profiles=mysql8.4
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.{name}(
  IN p_host VARCHAR(255), IN p_port INT UNSIGNED, IN p_user VARCHAR(128),
  IN p_password VARCHAR(255), IN p_log_file VARCHAR(255),
  IN p_log_pos BIGINT UNSIGNED, IN p_ssl INT)
SQL SECURITY DEFINER
BEGIN
  DECLARE v_delay BIGINT UNSIGNED DEFAULT 0;
  IF p_host IS NULL OR p_port IS NULL OR p_user IS NULL OR p_password IS NULL
     OR p_log_file IS NULL OR p_log_pos IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid arguments';
  END IF;
  SELECT IFNULL(CAST(value AS UNSIGNED), 0) INTO v_delay
    FROM mysql.rds_configuration WHERE name = 'source delay';
  EXECUTE IMMEDIATE CONCAT('CHANGE MASTER TO MASTER_HOST = ', QUOTE(TRIM(p_host)),
    ', MASTER_PORT = ', p_port,
    ', MASTER_USER = ', QUOTE(TRIM(p_user)),
    ', MASTER_PASSWORD = ', QUOTE(p_password),
    ', MASTER_LOG_FILE = ', QUOTE(TRIM(p_log_file)),
    ', MASTER_LOG_POS = ', p_log_pos,
    ', MASTER_SSL = ', IF(IFNULL(p_ssl, 0) <> 0, 1, 0),
    ', MASTER_USE_GTID = no, MASTER_CONNECT_RETRY = 1, MASTER_DELAY = ', v_delay);
END$$

-- profiles: mariadb10.4 mariadb10.5
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_set_external_master_gtid(
  IN p_host VARCHAR(255), IN p_port INT UNSIGNED, IN p_user VARCHAR(128),
  IN p_password VARCHAR(255), IN p_gtid VARCHAR(4096), IN p_ssl INT)
SQL SECURITY DEFINER
BEGIN
  DECLARE v_delay BIGINT UNSIGNED DEFAULT 0;
  IF p_host IS NULL OR p_port IS NULL OR p_user IS NULL OR p_password IS NULL
     OR p_gtid IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid arguments';
  END IF;
  SELECT IFNULL(CAST(value AS UNSIGNED), 0) INTO v_delay
    FROM mysql.rds_configuration WHERE name = 'source delay';
  SET GLOBAL gtid_slave_pos = p_gtid;
  EXECUTE IMMEDIATE CONCAT('CHANGE MASTER TO MASTER_HOST = ', QUOTE(TRIM(p_host)),
    ', MASTER_PORT = ', p_port,
    ', MASTER_USER = ', QUOTE(TRIM(p_user)),
    ', MASTER_PASSWORD = ', QUOTE(p_password),
    ', MASTER_SSL = ', IF(IFNULL(p_ssl, 0) <> 0, 1, 0),
    ', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_DELAY = ', v_delay);
END$$

-- STOP SLAVE first: RESET SLAVE ALL refuses while the threads run.
-- Idempotent: with nothing configured both are no-ops (notes only).
-- each: name=rds_reset_external_master profiles=mariadb10.4,mariadb10.5,mysql5.7,mysql8.0
-- each: name=rds_reset_external_source profiles=mysql8.4
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.{name}()
SQL SECURITY DEFINER
BEGIN
  STOP SLAVE;
  RESET SLAVE ALL;
END$$

-- Waits up to ~2 s for both threads to run, then reports like RDS.
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_start_replication()
SQL SECURITY DEFINER
BEGIN
  DECLARE v_running VARCHAR(10) DEFAULT 'OFF';
  DECLARE v_i INT DEFAULT 0;
  START SLAVE;
  WHILE v_i < 20 AND v_running <> 'ON' DO
    SELECT VARIABLE_VALUE INTO v_running FROM information_schema.GLOBAL_STATUS
     WHERE VARIABLE_NAME = 'SLAVE_RUNNING';
    IF v_running <> 'ON' THEN
      DO SLEEP(0.1);
    END IF;
    SET v_i = v_i + 1;
  END WHILE;
  IF v_running = 'ON' THEN
    SELECT 'Slave running normally.' AS Message;
  ELSE
    SELECT 'Slave has encountered an error. Run CALL mysql.rds_replica_status(); to see the error.' AS Message;
  END IF;
END$$

CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_stop_replication()
SQL SECURITY DEFINER
BEGIN
  STOP SLAVE;
  SELECT 'Slave is down or disabled' AS Message;
END$$

-- RDS for MySQL only: "MariaDB DB instances support all of the stored
-- procedures, except for mysql.rds_start_replication_until and
-- mysql.rds_start_replication_until_gtid" ("MariaDB on Amazon RDS SQL reference").
-- profiles: mysql5.7 mysql8.0 mysql8.4
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_start_replication_until(
  IN p_log_file VARCHAR(255), IN p_log_pos BIGINT UNSIGNED)
SQL SECURITY DEFINER
BEGIN
  IF p_log_file IS NULL OR p_log_pos IS NULL THEN
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid arguments';
  END IF;
  EXECUTE IMMEDIATE CONCAT('START SLAVE UNTIL MASTER_LOG_FILE = ', QUOTE(TRIM(p_log_file)),
    ', MASTER_LOG_POS = ', p_log_pos);
END$$

-- Without access to Last_SQL_Errno from SQL, "running" stands for "no
-- error to skip". Skipping hides lost or duplicated rows; it exists only
-- because RDS has it.
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_skip_repl_error()
SQL SECURITY DEFINER
BEGIN
  DECLARE v_running VARCHAR(10) DEFAULT 'OFF';
  SELECT VARIABLE_VALUE INTO v_running FROM information_schema.GLOBAL_STATUS
   WHERE VARIABLE_NAME = 'SLAVE_RUNNING';
  IF v_running = 'ON' THEN
    SELECT 'Slave is running normally.  No errors to skip.' AS Message;
  ELSE
    STOP SLAVE;
    SET GLOBAL sql_slave_skip_counter = 1;
    START SLAVE;
    SELECT 'Statement in error has been skipped' AS Message;
  END IF;
END$$

-- mysql.rds_kill and rds_kill_query differ only in what they kill: this one
-- statement is run once for each "-- each:" line right above it, with {name}
-- and {what} replaced. The internal accounts (root, replication threads, the
-- replicas' rdsrepl) are off limits, as rdsadmin's threads are on RDS.
-- each: name=rds_kill what=CONNECTION
-- each: name=rds_kill_query what=QUERY
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.{name}(IN p_thread BIGINT UNSIGNED)
SQL SECURITY DEFINER
BEGIN
  DECLARE v_user VARCHAR(128) DEFAULT NULL;
  DECLARE v_msg VARCHAR(255);
  SELECT USER INTO v_user FROM information_schema.PROCESSLIST WHERE ID = p_thread;
  IF v_user IS NULL THEN
    SET v_msg = CONCAT('Unknown thread id: ', IFNULL(p_thread, 'NULL'));
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1094, MESSAGE_TEXT = v_msg;
  ELSEIF v_user IN ('root', 'system user', 'rdsrepl', 'event_scheduler') THEN
    SET v_msg = CONCAT('You are not owner of thread ', p_thread);
    SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1095, MESSAGE_TEXT = v_msg;
  END IF;
  KILL {what} p_thread;
END$$

-- mysql.rds_replica_status (RDS for MariaDB 10.5 and higher): the row of
-- SHOW SLAVE STATUS with the columns named as in the AWS page's example
-- ("mysql.rds_replica_status", Amazon RDS User Guide): Master_ becomes
-- Source_ and Slave_ becomes Replica_, in that order of columns, and
-- Seconds_Behind_Master keeps its name, as the page shows. 10.11's
-- Replicate_Rewrite_DB is not in the page's list and is left out. MariaDB
-- cannot rename the columns of a SHOW nor read its row from SQL, so the
-- UDF awsim_slave_status (tests/awsim/slavestatus.c) reads it as JSON over
-- the server's own socket. Not a replica: the columns and no row, like the
-- SHOW. Values are text, as the server sends every SHOW column.
-- profiles: mariadb10.5
CREATE OR REPLACE FUNCTION awsim_slave_status RETURNS STRING SONAME 'awsim_slave_status.so'$$

-- profiles: mariadb10.5
CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_replica_status()
SQL SECURITY DEFINER
BEGIN
  DECLARE v_row LONGTEXT DEFAULT awsim_slave_status(@@GLOBAL.socket);
  SELECT
    JSON_VALUE(v_row, '$.Slave_IO_State') AS Replica_IO_State,
    JSON_VALUE(v_row, '$.Master_Host') AS Source_Host,
    JSON_VALUE(v_row, '$.Master_User') AS Source_User,
    CAST(JSON_VALUE(v_row, '$.Master_Port') AS UNSIGNED) AS Source_Port,
    CAST(JSON_VALUE(v_row, '$.Connect_Retry') AS UNSIGNED) AS Connect_Retry,
    JSON_VALUE(v_row, '$.Master_Log_File') AS Source_Log_File,
    CAST(JSON_VALUE(v_row, '$.Read_Master_Log_Pos') AS UNSIGNED) AS Read_Source_Log_Pos,
    JSON_VALUE(v_row, '$.Relay_Log_File') AS Relay_Log_File,
    CAST(JSON_VALUE(v_row, '$.Relay_Log_Pos') AS UNSIGNED) AS Relay_Log_Pos,
    JSON_VALUE(v_row, '$.Relay_Master_Log_File') AS Relay_Source_Log_File,
    JSON_VALUE(v_row, '$.Slave_IO_Running') AS Replica_IO_Running,
    JSON_VALUE(v_row, '$.Slave_SQL_Running') AS Replica_SQL_Running,
    JSON_VALUE(v_row, '$.Replicate_Do_DB') AS Replicate_Do_DB,
    JSON_VALUE(v_row, '$.Replicate_Ignore_DB') AS Replicate_Ignore_DB,
    JSON_VALUE(v_row, '$.Replicate_Do_Table') AS Replicate_Do_Table,
    JSON_VALUE(v_row, '$.Replicate_Ignore_Table') AS Replicate_Ignore_Table,
    JSON_VALUE(v_row, '$.Replicate_Wild_Do_Table') AS Replicate_Wild_Do_Table,
    JSON_VALUE(v_row, '$.Replicate_Wild_Ignore_Table') AS Replicate_Wild_Ignore_Table,
    CAST(JSON_VALUE(v_row, '$.Last_Errno') AS UNSIGNED) AS Last_Errno,
    JSON_VALUE(v_row, '$.Last_Error') AS Last_Error,
    CAST(JSON_VALUE(v_row, '$.Skip_Counter') AS UNSIGNED) AS Skip_Counter,
    CAST(JSON_VALUE(v_row, '$.Exec_Master_Log_Pos') AS UNSIGNED) AS Exec_Source_Log_Pos,
    CAST(JSON_VALUE(v_row, '$.Relay_Log_Space') AS UNSIGNED) AS Relay_Log_Space,
    JSON_VALUE(v_row, '$.Until_Condition') AS Until_Condition,
    JSON_VALUE(v_row, '$.Until_Log_File') AS Until_Log_File,
    CAST(JSON_VALUE(v_row, '$.Until_Log_Pos') AS UNSIGNED) AS Until_Log_Pos,
    JSON_VALUE(v_row, '$.Master_SSL_Allowed') AS Source_SSL_Allowed,
    JSON_VALUE(v_row, '$.Master_SSL_CA_File') AS Source_SSL_CA_File,
    JSON_VALUE(v_row, '$.Master_SSL_CA_Path') AS Source_SSL_CA_Path,
    JSON_VALUE(v_row, '$.Master_SSL_Cert') AS Source_SSL_Cert,
    JSON_VALUE(v_row, '$.Master_SSL_Cipher') AS Source_SSL_Cipher,
    JSON_VALUE(v_row, '$.Master_SSL_Key') AS Source_SSL_Key,
    CAST(JSON_VALUE(v_row, '$.Seconds_Behind_Master') AS UNSIGNED) AS Seconds_Behind_Master,
    JSON_VALUE(v_row, '$.Master_SSL_Verify_Server_Cert') AS Source_SSL_Verify_Server_Cert,
    CAST(JSON_VALUE(v_row, '$.Last_IO_Errno') AS UNSIGNED) AS Last_IO_Errno,
    JSON_VALUE(v_row, '$.Last_IO_Error') AS Last_IO_Error,
    CAST(JSON_VALUE(v_row, '$.Last_SQL_Errno') AS UNSIGNED) AS Last_SQL_Errno,
    JSON_VALUE(v_row, '$.Last_SQL_Error') AS Last_SQL_Error,
    JSON_VALUE(v_row, '$.Replicate_Ignore_Server_Ids') AS Replicate_Ignore_Server_Ids,
    CAST(JSON_VALUE(v_row, '$.Master_Server_Id') AS UNSIGNED) AS Source_Server_Id,
    JSON_VALUE(v_row, '$.Master_SSL_Crl') AS Source_SSL_Crl,
    JSON_VALUE(v_row, '$.Master_SSL_Crlpath') AS Source_SSL_Crlpath,
    JSON_VALUE(v_row, '$.Using_Gtid') AS Using_Gtid,
    JSON_VALUE(v_row, '$.Gtid_IO_Pos') AS Gtid_IO_Pos,
    JSON_VALUE(v_row, '$.Replicate_Do_Domain_Ids') AS Replicate_Do_Domain_Ids,
    JSON_VALUE(v_row, '$.Replicate_Ignore_Domain_Ids') AS Replicate_Ignore_Domain_Ids,
    JSON_VALUE(v_row, '$.Parallel_Mode') AS Parallel_Mode,
    CAST(JSON_VALUE(v_row, '$.SQL_Delay') AS UNSIGNED) AS SQL_Delay,
    CAST(JSON_VALUE(v_row, '$.SQL_Remaining_Delay') AS UNSIGNED) AS SQL_Remaining_Delay,
    JSON_VALUE(v_row, '$.Slave_SQL_Running_State') AS Replica_SQL_Running_State,
    CAST(JSON_VALUE(v_row, '$.Slave_DDL_Groups') AS UNSIGNED) AS Replica_DDL_Groups,
    CAST(JSON_VALUE(v_row, '$.Slave_Non_Transactional_Groups') AS UNSIGNED) AS Replica_Non_Transactional_Groups,
    CAST(JSON_VALUE(v_row, '$.Slave_Transactional_Groups') AS UNSIGNED) AS Replica_Transactional_Groups
  FROM DUAL WHERE v_row IS NOT NULL;
END$$

DELIMITER ;
