// Tests of the dashboard strategy's generate(), with a hass object shaped as
// the frontend's: entities from the entity registry's display list, devices,
// states, localize.
import assert from "node:assert/strict";
import { test } from "node:test";

import { AlexaCareStrategy } from "../custom_components/alexa_care/frontend/alexa-care-strategy.js";

const CORE_CARDS = new Set([
  "conditional",
  "entities",
  "heading",
  "history-graph",
  "markdown",
  "statistics-graph",
  "vertical-stack",
]);

function fakeHass({ language = "en", fixes = {} } = {}) {
  const entities = {};
  const states = {};
  const add = (entityId, deviceId, translationKey, state = "0", platform = "alexa_care") => {
    entities[entityId] = {
      entity_id: entityId,
      device_id: deviceId,
      platform,
      translation_key: translationKey,
    };
    states[entityId] = { entity_id: entityId, state, attributes: {} };
  };
  // Entity ids that say nothing of what they are: they are found by kind.
  add("sensor.devices_offline", "account", "devices_offline", "1");
  add("sensor.household_outage_minutes_today", "account", "household_outage_minutes", "4.5");
  add("sensor.household_outages_today", "account", "household_outages", "1");
  add("sensor.a1", "echo", "suggested_fix", fixes.echo || "nothing_to_do");
  add("binary_sensor.a2", "echo", "connectivity", "on");
  add("sensor.a3", "echo", "drop_offs");
  add("button.a4", "echo", "restart", "unknown");
  add("button.a5", "echo", "power_cycle", "unknown");
  add("sensor.b1", "plug", "suggested_fix", fixes.plug || "nothing_to_do");
  add("binary_sensor.b2", "plug", "connectivity", "off");
  add("sensor.b3", "plug", "drop_offs");
  add("sensor.b4", "plug", "offline_minutes");
  // Another integration's entity with one of our translation keys.
  add("binary_sensor.other", "other", "connectivity", "on", "other_integration");
  return {
    language,
    locale: { language },
    entities,
    states,
    devices: {
      echo: { id: "echo", name: "Kitchen Echo", name_by_user: "Bedroom Echo Show on the shelf" },
      plug: { id: "plug", name: "Kitchen Plug", name_by_user: null },
      account: { id: "account", name: "o***r@example.com" },
      other: { id: "other", name: "Router" },
    },
    localize: (key) =>
      ({
        "component.alexa_care.entity.button.restart.name": "Restart",
        "component.alexa_care.entity.button.power_cycle.name": "Power cycle",
        "component.alexa_care.entity.sensor.suggested_fix.name": "Suggested fix",
      })[key] || "",
  };
}

function cardsOf(dashboard) {
  assert.equal(dashboard.views.length, 1);
  return dashboard.views[0].cards;
}

function* walk(card) {
  yield card;
  for (const child of card.cards || []) yield* walk(child);
  if (card.card) yield* walk(card.card);
}

test("the first card is what needs you: one card per device, shown while it needs you", async () => {
  const dashboard = await AlexaCareStrategy.generate({ type: "custom:alexa-care" }, fakeHass());
  const [needsYou] = cardsOf(dashboard);
  assert.equal(needsYou.type, "vertical-stack");
  const [heading, echo, plug, nothing] = needsYou.cards;
  assert.equal(heading.heading, "What needs you");
  // Devices by name: the name the user gave, whole.
  assert.equal(echo.card.title, "Bedroom Echo Show on the shelf");
  assert.deepEqual(echo.conditions, [
    { condition: "state", entity: "sensor.a1", state_not: "nothing_to_do" },
  ]);
  assert.equal(plug.card.title, "Kitchen Plug");
  // One line when nothing needs you, while every suggestion is "nothing to do".
  assert.equal(nothing.card.content, "Nothing needs you: every device is fine.");
  assert.deepEqual(
    nothing.conditions.map((condition) => [condition.entity, condition.state]),
    [
      ["sensor.a1", "nothing_to_do"],
      ["sensor.b1", "nothing_to_do"],
    ],
  );
});

test("restart in one tap; the power cycle after a confirmation; the repair issue linked", async () => {
  const dashboard = await AlexaCareStrategy.generate({}, fakeHass({ fixes: { echo: "restart" } }));
  const echo = cardsOf(dashboard)[0].cards[1].card;
  const [fix, restart, powerCycle, signIn, repair] = echo.entities;
  assert.equal(fix.entity, "sensor.a1");
  assert.deepEqual(restart.conditions, [{ entity: "sensor.a1", state: "restart" }]);
  assert.equal(restart.row.action_name, "Restart");
  assert.deepEqual(restart.row.tap_action, {
    action: "perform-action",
    perform_action: "button.press",
    target: { entity_id: "button.a4" },
  });
  assert.deepEqual(powerCycle.conditions, [{ entity: "sensor.a1", state: "power_cycle" }]);
  assert.equal(powerCycle.row.tap_action.target.entity_id, "button.a5");
  assert.match(powerCycle.row.tap_action.confirmation.text, /Bedroom Echo Show on the shelf/);
  assert.equal(signIn.row.tap_action.navigation_path, "/config/integrations/integration/alexa_care");
  assert.equal(repair.row.tap_action.navigation_path, "/config/repairs");
  // A plug has no reset buttons: only its suggestion and its repair issue.
  const plug = cardsOf(dashboard)[0].cards[2].card;
  assert.deepEqual(
    plug.entities.map((row) => row.entity || row.row.tap_action.navigation_path),
    ["sensor.b1", "/config/integrations/integration/alexa_care", "/config/repairs"],
  );
});

test("a device's name is put in the confirmation whole, whatever it holds", async () => {
  const hass = fakeHass({ fixes: { echo: "power_cycle" } });
  // In a replacement string, "$&" and "$'" stand for parts of the text.
  hass.devices.echo.name_by_user = "Echo $& $' $$";
  const dashboard = await AlexaCareStrategy.generate({}, hass);
  const powerCycle = cardsOf(dashboard)[0].cards[1].card.entities[2];
  assert.ok(powerCycle.row.tap_action.confirmation.text.includes("Echo $& $' $$"));
  const resets = cardsOf(dashboard).flatMap((card) => [...walk(card)]).find((card) => card.title === "Resets");
  assert.ok(resets.entities[1].tap_action.confirmation.text.includes("Echo $& $' $$"));
});

test("the health view: found by what the entities are, names whole, core cards only", async () => {
  const dashboard = await AlexaCareStrategy.generate({}, fakeHass());
  const cards = cardsOf(dashboard);
  const byTitle = Object.fromEntries(cards.slice(1).map((card) => [card.title, card]));
  assert.deepEqual(
    byTitle.Devices.entities.map((row) => row.entity),
    [
      "sensor.devices_offline",
      "sensor.household_outages_today",
      "sensor.household_outage_minutes_today",
      "binary_sensor.a2",
      "binary_sensor.b2",
    ],
  );
  assert.equal(byTitle.Devices.entities[0].name, "Devices offline");
  // Rows, not a glance, so that names are not cut short.
  assert.equal(byTitle["Drop-offs today"].type, "entities");
  assert.deepEqual(
    byTitle["Drop-offs today"].entities.map((row) => row.name),
    ["Bedroom Echo Show on the shelf", "Kitchen Plug"],
  );
  assert.equal(byTitle["Connectivity, last 24 hours"].type, "history-graph");
  assert.equal(byTitle["Drop-offs per day, last 7 days"].type, "statistics-graph");
  assert.deepEqual(
    byTitle["Minutes offline per day, last 7 days"].entities.map((row) => row.entity),
    ["sensor.b4"],
  );
  assert.deepEqual(
    byTitle.Resets.entities.map((row) => row.tap_action.target.entity_id),
    ["button.a4", "button.a5"],
  );
  // The row names its device, whole; the button says what it does.
  assert.deepEqual(
    byTitle.Resets.entities.map((row) => [row.name, row.action_name]),
    [
      ["Bedroom Echo Show on the shelf", "Restart"],
      ["Bedroom Echo Show on the shelf", "Power cycle"],
    ],
  );
  assert.ok(byTitle.Resets.entities[1].tap_action.confirmation.text);
  for (const card of cards) {
    for (const inner of walk(card)) assert.ok(CORE_CARDS.has(inner.type), inner.type);
  }
  const all = JSON.stringify(dashboard);
  assert.ok(!all.includes("binary_sensor.other"));
});

test("the dashboard speaks the user's language", async () => {
  const dashboard = await AlexaCareStrategy.generate({}, fakeHass({ language: "de-DE" }));
  const cards = cardsOf(dashboard);
  assert.equal(cards[0].cards[0].heading, "Was dich braucht");
  assert.equal(cards[1].title, "Geräte");
});

test("a device without entities of ours, or with none enabled, is left out", async () => {
  const hass = fakeHass();
  for (const id of Object.keys(hass.entities)) {
    if (hass.entities[id].device_id === "plug") delete hass.states[id];
  }
  const dashboard = await AlexaCareStrategy.generate({}, hass);
  assert.ok(!JSON.stringify(dashboard).includes("Kitchen Plug"));
});

test("the Add dashboard dialog is offered a title and an icon", () => {
  assert.deepEqual(AlexaCareStrategy.getCreateSuggestions(fakeHass({ language: "fr" })), {
    title: "Alexa Care",
    icon: "mdi:heart-pulse",
  });
});

test("the household's outages today are the account's, named as Home Assistant translates them", async () => {
  const hass = fakeHass({ language: "de" });
  const translated = hass.localize;
  hass.localize = (key) =>
    ({
      "component.alexa_care.entity.sensor.household_outages.name": "Ausfälle im Haushalt heute",
    })[key] || translated(key);
  const devices = (await AlexaCareStrategy.generate({}, hass)).views[0].cards[1];
  assert.deepEqual(
    devices.entities.slice(1, 3).map((row) => [row.entity, row.name]),
    [
      ["sensor.household_outages_today", "Ausfälle im Haushalt heute"],
      // Without a translation from the frontend, the English name.
      ["sensor.household_outage_minutes_today", "Household outage minutes today"],
    ],
  );
  // No device of their own: the account's rows, not a device's drop-offs.
  const all = JSON.stringify((await AlexaCareStrategy.generate({}, hass)).views[0].cards.slice(2));
  assert.ok(!all.includes("household_outage"));
});
