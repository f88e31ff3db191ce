import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from '../engine.js';
import { eachSimpleElement } from './xml.js';

const masker = createMasker();
const mask = (text: string) => masker.maskTextSync(text).text;
const elements = (text: string) => {
  const got: string[] = [];
  eachSimpleElement(text, {}, (name, vs, ve) => got.push(`${name}=${text.slice(vs, ve)}`));
  return got;
};

test('simple elements: local names, attributes, CDATA, white space, plist keys; containers, mismatches and self-closing tags skipped', () => {
  assert.deepEqual(elements('<server><id>nexus</id><password> s3 </password></server>'), ['id=nexus', 'password=s3']);
  assert.deepEqual(elements('<wsse:Password Type="a>b" x=\'/\'>pw</wsse:Password>'), ['Password=pw']);
  assert.deepEqual(elements('<token>\n  <![CDATA[a<b]]c]]>\n</token>'), ['token=a<b]]c']);
  assert.deepEqual(elements('<dict>\n  <key>api_key</key>\n  <string>abc</string>\n  <key>n</key><integer>3</integer></dict>'), ['key=api_key', 'api_key=abc', 'key=n', 'n=3']);
  assert.deepEqual(elements('<password>a&amp;b>c</password>'), ['password=a&amp;b>c']);
  for (const t of ['<password><value>x</value></password>', '<password>x</pass>', '<pass>x</password>', '<passwordHint>x</password>', '<password/>x</password>',
    '<password></password>', '<password>   </password>', '</password>', '<!-- x --></password>', '<password>x</ password>', `<password>${'x'.repeat(8193)}</password>`]) {
    assert.deepEqual(elements(t).filter((e) => e.startsWith('password=')), [], t);
  }
  assert.deepEqual(elements(`<password>${'x'.repeat(8192)}</password>`).length, 1);
});

test('XML element names are field context: credentials and personal data in settings.xml, SOAP, configs, plists', () => {
  const cases: [string, string][] = [
    ['<server><id>nexus</id><username>deploy</username><password>Sup3rS3cret!</password></server>', '<server><id>nexus</id><username>deploy</username><password>[PASSWORD]</password></server>'],
    ['<client_secret>Zx9Qw8Er7Ty6Ui5Op4AsDf3Gh</client_secret>', '<client_secret>[SECRET]</client_secret>'],
    ['<apiKey>Zx9Qw8Er7Ty6Ui5Op4AsDf3Gh</apiKey>', '<apiKey>[SECRET]</apiKey>'],
    ['<AccessKey>Zx9Qw8Er7Ty6Ui5Op4AsDf3Gh</AccessKey>', '<AccessKey>[SECRET]</AccessKey>'],
    ['<ns:Password>p@ss&amp;w0rd</ns:Password>', '<ns:Password>[PASSWORD]</ns:Password>'],
    ['<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">hunter2!</wsse:Password>',
      '<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">[PASSWORD]</wsse:Password>'],
    ['<token><![CDATA[9f8e7d6c5b4a39f8e7d6c5b4a3]]></token>', '<token><![CDATA[[SECRET]]]></token>'],
    ['<email>jane@example.org</email>', '<email>[EMAIL]</email>'],
    ['<ssn>536-22-8714</ssn>', '<ssn>[US_SSN]</ssn>'],
    ['<dob>1979-05-14</dob>', '<dob>[DATE_OF_BIRTH]</dob>'],
    ['<first_name>anna</first_name><LastName>lima</LastName><FirstName>jo</FirstName>', '<first_name>[PERSON]</first_name><LastName>[PERSON]</LastName><FirstName>[PERSON]</FirstName>'],
    ['<cardNumber>4111111111111111</cardNumber><cvv>123</cvv>', '<cardNumber>************1111</cardNumber><cvv>[CARD_SECURITY_CODE]</cvv>'],
    ['<phone>415 555 0123</phone>', '<phone>[PHONE]</phone>'],
    ['<homeAddress>14 Crown Street</homeAddress>', '<homeAddress>[ADDRESS]</homeAddress>'],
    ['<dict>\n\t<key>password</key>\n\t<string>hunter2!</string>\n</dict>', '<dict>\n\t<key>password</key>\n\t<string>[PASSWORD]</string>\n</dict>'],
    ['<Authorization>Bearer 9f8e7d6c5b4a3x</Authorization>', '<Authorization>Bearer [SECRET]</Authorization>'],
  ];
  for (const [t, want] of cases) {
    assert.equal(mask(t), want, t);
    assert.equal(mask(`log: got ${t} back`), `log: got ${want} back`, `${t} in a line`);
  }
});

test('XML look-alikes stay: Maven coordinates, project and server names, HTML, placeholders, names used for other things', () => {
  const pom = `<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId>
  <artifactId>demo-service</artifactId>
  <version>1.0.0-SNAPSHOT</version>
  <packaging>jar</packaging>
  <name>demo-service</name>
  <description>shows the masking</description>
  <dependencies>
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId>commons-lang3</artifactId>
      <version>3.14.0</version>
    </dependency>
  </dependencies>
</project>`;
  const settings = `<settings>
  <servers>
    <server>
      <id>nexus-releases</id>
      <username>deploy</username>
      <password>\${env.NEXUS_PASSWORD}</password>
    </server>
  </servers>
  <mirrors><mirror><id>central</id><name>central mirror</name><url>https://repo.example.org/maven2</url><mirrorOf>*</mirrorOf></mirror></mirrors>
</settings>`;
  const html = '<html><head><title>Account settings</title></head><body><table><tr><th>Field</th></tr><tr><td>password</td><td>token</td></tr></table><label>Password</label><p>Enter your email</p></body></html>';
  const others = ['<cell>42</cell>', '<pan>0.5</pan>', '<address>0.0.0.0:8080</address>', '<listen-address>localhost</listen-address>', '<mobile>true</mobile>',
    '<ssn>unknown</ssn>', '<cvv>n/a</cvv>', '<displayName>build runner</displayName>', '<key>password</key>', '<password>********</password>', '<token></token>',
    '<passwordPolicy>strict</passwordPolicy>', '<secret_id>42</secret_id>', '<name>backend</name>'];
  for (const t of [pom, settings, html, ...others]) assert.equal(mask(t), t, t);
});

// XML names are case-sensitive, so `<Password>x</password>` is not well-formed; hand-written configs hold such
// mismatches all the same, and what such an element holds is read as it would be closed right: a value between
// `<Password>` and `</password>` is masked (failing closed). Other names still do not pair.
test('an element closed in another case is read as its name says', () => {
  assert.deepEqual(elements('<Password>Xk29vQ7pLmN2</password>'), ['password=Xk29vQ7pLmN2']);
  assert.deepEqual(elements('<ns:ApiKey a="1">k</ns:APIKEY>'), ['APIKEY=k']);
  assert.equal(mask('<Settings><Server>db01</server><Password>Xk29vQ7pLmN2</password></Settings>'), '<Settings><Server>db01</server><Password>[PASSWORD]</password></Settings>');
  assert.equal(mask('<password>Xk29vQ7pLmN2</PASSWORD>'), '<password>[PASSWORD]</PASSWORD>');
  assert.equal(mask('<CLIENT_SECRET>Zx9Qw8Er7Ty6Ui5Op4AsDf3Gh</client_secret>'), '<CLIENT_SECRET>[SECRET]</client_secret>');
  for (const t of ['<Password>x</Pass>', '<Passwords>x</password>', '<Password>x</passwordHint>', '<Pass_word>x</password>']) {
    assert.deepEqual(elements(t).filter((e) => /^pass/i.test(e)), [], t);
  }
});
