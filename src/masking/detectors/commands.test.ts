import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from '../engine.js';

const masker = createMasker();
const spans = (text: string) => masker.scanSync(text).filter((f) => f.type !== 'PERSON').map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

test('commands: passwords on curl, mysql, sshpass, docker login, redis-cli and --password command lines', () => {
  assert.deepEqual(spans('curl -u admin:Sup3rS3cret! https://internal.example.com/api'), ['PASSWORD:Sup3rS3cret!']);
  assert.deepEqual(spans('curl --user admin:Sup3rS3cret! x'), ['PASSWORD:Sup3rS3cret!']);
  assert.deepEqual(spans("curl -s -u 'admin:p w' x"), ['PASSWORD:p w']);
  assert.deepEqual(spans('curl \\\n  -U proxy:Pr0xyPw \\\n  https://x'), ['PASSWORD:Pr0xyPw']);
  assert.deepEqual(spans('mysql -h db.prod -u root -pRootPass2024! appdb'), ['PASSWORD:RootPass2024!']);
  assert.deepEqual(spans('mysqldump -uroot -p"my pass" appdb'), ['PASSWORD:my pass']);
  assert.deepEqual(spans('sshpass -p s3cretpw ssh host'), ['PASSWORD:s3cretpw']);
  assert.deepEqual(spans('docker login -u bob -p Passw0rd1 registry.example.com'), ['PASSWORD:Passw0rd1']);
  assert.deepEqual(spans('redis-cli -h cache -a hunter22 ping'), ['PASSWORD:hunter22']);
  assert.deepEqual(spans('mongosh --username u --password S3cret12 mongodb://h/db'), ['PASSWORD:S3cret12']);
  assert.deepEqual(spans('PGPASSWORD=hunter22 psql -h db -U app'), ['PASSWORD:hunter22']);
  assert.deepEqual(spans('mysql --password=RootPass2024 appdb'), ['PASSWORD:RootPass2024']);
  // -u and -p that are no passwords: a user alone, a prompt, ports, uid:gid, other commands, placeholders.
  for (const t of ['mysql -u root -p appdb', 'psql -h db -U app -p 5432 prod', 'docker run -u 1000:1000 -p 8080:80 img', 'ssh -p 2222 host',
    'sudo -u www-data:www-data ls', 'curl -u admin https://x', 'curl -s -u "$USER:$PASS" x', 'mysql -p$MYSQL_PWD db', 'grep -p x file', 'mysql --password appdb']) {
    assert.deepEqual(spans(t), [], t);
  }
});

test('SQL that sets a password: the literal is masked, the statement kept', () => {
  const m = createMasker();
  const cases: [string, string][] = [
    ["ALTER USER app WITH PASSWORD 'AlterP4ss';", "ALTER USER app WITH PASSWORD '[PASSWORD]';"],
    ["CREATE ROLE app LOGIN ENCRYPTED PASSWORD 'RoleP4ss1' VALID UNTIL '2027-01-01';", "CREATE ROLE app LOGIN ENCRYPTED PASSWORD '[PASSWORD]' VALID UNTIL '2027-01-01';"],
    ["alter role app password 'it''s s3cret';", "alter role app password '[PASSWORD]';"],
    ["CREATE USER bob IDENTIFIED BY 'OracleP4ss';", "CREATE USER bob IDENTIFIED BY '[PASSWORD]';"],
    ['CREATE USER scott IDENTIFIED BY tiger;', 'CREATE USER scott IDENTIFIED BY [PASSWORD];'],
    ["GRANT ALL ON *.* TO 'u'@'h' IDENTIFIED BY 'GrantP4ss1';", "GRANT ALL ON *.* TO 'u'@'h' IDENTIFIED BY '[PASSWORD]';"],
    ["ALTER USER 'u'@'h' IDENTIFIED WITH caching_sha2_password BY \"Cach1ng\";", "ALTER USER 'u'@'h' IDENTIFIED WITH caching_sha2_password BY \"[PASSWORD]\";"],
    ["SET PASSWORD FOR 'u'@'%' = 'MyP4ss1';", "SET PASSWORD FOR 'u'@'%' = '[PASSWORD]';"],
    ["set password for 'root'@'localhost' = PASSWORD('SqlP4ss');", "set password for 'root'@'localhost' = PASSWORD('[PASSWORD]');"],
    ["SET PASSWORD = PASSWORD('x1y2z3');", "SET PASSWORD = PASSWORD('[PASSWORD]');"],
  ];
  for (const [text, masked] of cases) assert.equal(m.maskTextSync(text).text, masked, text);
  // No password given: MySQL's random one, none, a bind parameter, an empty literal, a column named password.
  for (const text of [
    "CREATE USER 'u'@'h' IDENTIFIED BY RANDOM PASSWORD;",
    'ALTER USER x PASSWORD NULL;',
    'ALTER USER x PASSWORD $1;',
    'CREATE USER y IDENTIFIED BY :pwd;',
    "ALTER ROLE z PASSWORD '';",
    'SELECT id, password_hash FROM users WHERE password_reset IS NULL;',
    'CREATE USER ops IDENTIFIED EXTERNALLY;',
  ]) assert.equal(m.maskTextSync(text).text, text, text);
});

test('SQL passwords in dollar quotes, after comments, in MySQL OLD_PASSWORD() and Oracle REPLACE', () => {
  const m = createMasker();
  const cases: [string, string][] = [
    // PostgreSQL dollar-quoted literals, with and without a tag.
    ['ALTER USER app WITH PASSWORD $$s3cretPw!$$;', 'ALTER USER app WITH PASSWORD $$[PASSWORD]$$;'],
    ["ALTER ROLE app PASSWORD $pw$it's $ s3cret$pw$;", 'ALTER ROLE app PASSWORD $pw$[PASSWORD]$pw$;'],
    ['CREATE ROLE etl LOGIN PASSWORD $Tag_1$P4ss$$word$Tag_1$ VALID UNTIL 2027;', 'CREATE ROLE etl LOGIN PASSWORD $Tag_1$[PASSWORD]$Tag_1$ VALID UNTIL 2027;'],
    // A comment between the keyword and the literal.
    ["ALTER USER app PASSWORD /* rotated */ 'S3cretPw1';", "ALTER USER app PASSWORD /* rotated */ '[PASSWORD]';"],
    ["ALTER USER app PASSWORD/* rotated */'S3cretPw1';", "ALTER USER app PASSWORD/* rotated */'[PASSWORD]';"],
    ["CREATE USER audit WITH PASSWORD -- from vault\n'S3cretPw1';", "CREATE USER audit WITH PASSWORD -- from vault\n'[PASSWORD]';"],
    ["CREATE USER 'u'@'%' IDENTIFIED BY /* temp */ 'MyP4ss1';", "CREATE USER 'u'@'%' IDENTIFIED BY /* temp */ '[PASSWORD]';"],
    ["SET PASSWORD FOR 'u'@'%' = /* new */ 'MyP4ss1';", "SET PASSWORD FOR 'u'@'%' = /* new */ '[PASSWORD]';"],
    // MySQL's function forms.
    ["SET PASSWORD FOR 'legacy'@'%' = OLD_PASSWORD('oldPw123');", "SET PASSWORD FOR 'legacy'@'%' = OLD_PASSWORD('[PASSWORD]');"],
    ["SET PASSWORD = OLD_PASSWORD('oldPw123');", "SET PASSWORD = OLD_PASSWORD('[PASSWORD]');"],
    ["UPDATE mysql.user SET Password=PASSWORD('newPw123') WHERE User='root';", "UPDATE mysql.user SET Password=PASSWORD('[PASSWORD]') WHERE User='root';"],
    ["UPDATE mysql.user SET authentication_string = PASSWORD('newPw123') WHERE User = 'root';", "UPDATE mysql.user SET authentication_string = PASSWORD('[PASSWORD]') WHERE User = 'root';"],
    // Oracle: the old password after REPLACE is a password too.
    ['ALTER USER scott IDENTIFIED BY "tiger1" REPLACE "oldtiger";', 'ALTER USER scott IDENTIFIED BY "[PASSWORD]" REPLACE "[PASSWORD]";'],
    ['ALTER USER scott IDENTIFIED BY tiger1 REPLACE lion2;', 'ALTER USER scott IDENTIFIED BY [PASSWORD] REPLACE [PASSWORD];'],
  ];
  for (const [text, masked] of cases) assert.equal(m.maskTextSync(text).text, masked, text);
  // No password: a bind parameter after a comment, a dollar sign that opens no quote, an unclosed dollar quote, a
  // comment alone, PASSWORD() outside a statement that changes a login, REPLACE in other SQL.
  for (const text of [
    'ALTER USER x PASSWORD /* bind */ $1;',
    "ALTER ROLE z PASSWORD $$$$;",
    'ALTER USER x PASSWORD $abc',
    'ALTER USER x PASSWORD -- set later\n;',
    "SELECT PASSWORD('abc123');",
    "SELECT REPLACE(name, 'a', 'b') FROM users;",
  ]) assert.equal(m.maskTextSync(text).text, text, text);
});
