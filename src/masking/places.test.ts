import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMasker } from './index.js';
import { places } from './places.js';

const m = createMasker();
const mask = async (t: string) => (await m.maskText(t)).text;
const persons = (t: string) => m.scanSync(t).filter((f) => f.type === 'PERSON').map((f) => t.slice(f.start, f.end));

describe('places and PERSON', () => {
  it('knows countries, regions, states and large cities, and not small towns or surnames', () => {
    const p = places();
    for (const w of ['germany', 'new zealand', 'latin america', 'texas', 'ontario', 'lisbon', 'san francisco', 'são paulo'.normalize('NFD').replace(/\p{M}/gu, '')]) assert.ok(p.has(w), w);
    for (const w of ['gary', 'tyler', 'smith', 'garcia', 'maria']) assert.ok(!p.has(w), w);
  });

  it('leaves a place alone where the context says place', async () => {
    for (const t of ['Weather in Lisbon today', 'Flights from Berlin to Lisbon', 'Shipped to Germany and Canada', 'Office: Austin, Texas', 'I live in Austria']) {
      assert.equal(await mask(t), t);
    }
    assert.equal(await mask('{"city": "Lisbon", "country": "Germany"}'), '{"city": "Lisbon", "country": "Germany"}');
    assert.deepEqual((await m.maskValue({ destination_city: 'Boston', name: 'Houston' })).value, { destination_city: 'Boston', name: '[PERSON]' });
  });

  it('still masks people, including people named like places', async () => {
    assert.deepEqual(persons('Ticket from Priya Haddad in Toronto: printer jammed'), ['Priya Haddad']);
    assert.deepEqual(persons('Mr. Houston called about the invoice'), ['Houston']);
    assert.deepEqual(persons('Dear Paris, thanks for the notes'), ['Paris']);
    assert.deepEqual(persons('Paris Hilton arrived'), ['Paris Hilton']);
    assert.deepEqual(persons('Enrico shouted at Gary: "What are you doing here?"'), ['Enrico', 'Gary'], 'a small city is not taken for a place');
    assert.equal(await mask('{"name": "Lisbon"}'), '{"name": "[PERSON]"}');
  });
});
