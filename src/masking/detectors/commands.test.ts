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
