// Alexa Care's dashboard strategy: `strategy: {type: custom:alexa-care}` is
// the whole configuration. Home Assistant's frontend calls generate() each
// time the dashboard is opened, so devices added, removed or renamed show
// without an edit. Only core cards; our entities are found in the entity
// registry by what they are (platform and translation key), not by name, so
// renamed devices and other languages work.

const DOMAIN = "alexa_care";
const NOTHING_TO_DO = "nothing_to_do";

// The dashboard's own words, in English, German, Spanish and French; entity
// names and states come translated from the integration's translations.
const LANGUAGES = ["en", "de", "es", "fr"];
const WORDS = {
  title: ["Alexa Care", "Alexa Care", "Alexa Care", "Alexa Care"],
  needs_you: ["What needs you", "Was dich braucht", "Lo que te necesita", "Ce qui a besoin de vous"],
  nothing: ["Nothing needs you: every device is fine.", "Nichts zu tun: alle Geräte sind in Ordnung.", "Nada te necesita: todos los dispositivos están bien.", "Rien n'a besoin de vous : tous les appareils vont bien."],
  repair: ["Open its repair issue", "Reparaturhinweis öffnen", "Abrir su aviso de reparación", "Ouvrir son problème à réparer"],
  open: ["Open", "Öffnen", "Abrir", "Ouvrir"],
  sign_in: ["Sign in again", "Erneut anmelden", "Volver a iniciar sesión", "Se reconnecter"],
  power_cycle_confirm: ["Switch off the plug that powers {device} for 20 seconds?", "Die Steckdose, die {device} versorgt, für 20 Sekunden ausschalten?", "¿Apagar durante 20 segundos el enchufe que alimenta {device}?", "Couper pendant 20 secondes la prise qui alimente {device} ?"],
  devices: ["Devices", "Geräte", "Dispositivos", "Appareils"],
  drop_offs: ["Drop-offs today", "Verbindungsabbrüche heute", "Desconexiones hoy", "Déconnexions aujourd'hui"],
  connectivity: ["Connectivity, last 24 hours", "Verbindung, letzte 24 Stunden", "Conectividad, últimas 24 horas", "Connectivité, dernières 24 heures"],
  drop_offs_per_day: ["Drop-offs per day, last 7 days", "Verbindungsabbrüche pro Tag, letzte 7 Tage", "Desconexiones por día, últimos 7 días", "Déconnexions par jour, 7 derniers jours"],
  offline_per_day: ["Minutes offline per day, last 7 days", "Minuten offline pro Tag, letzte 7 Tage", "Minutos sin conexión por día, últimos 7 días", "Minutes hors ligne par jour, 7 derniers jours"],
  resets: ["Resets", "Neustarts", "Reinicios", "Redémarrages"],
  description: ["What needs you, and the health of your Echos and plugs.", "Was dich braucht, und der Zustand deiner Echos und Steckdosen.", "Lo que te necesita, y la salud de tus Echo y enchufes.", "Ce qui a besoin de vous, et la santé de vos Echo et prises."],
};

export function texts(language) {
  const index = Math.max(0, LANGUAGES.indexOf(String(language || "en").split("-")[0]));
  return Object.fromEntries(
    Object.entries(WORDS).map(([key, words]) => [key, words[index]]),
  );
}

// What an entity of ours is: "<domain>.<translation key>".
const KINDS = {
  "sensor.suggested_fix": "fix",
  "binary_sensor.connectivity": "connectivity",
  "sensor.drop_offs": "drops",
  "sensor.offline_minutes": "offline",
  "sensor.devices_offline": "devices_offline",
  "sensor.household_outages": "household_outages",
  "sensor.household_outage_minutes": "household_outage_minutes",
  "button.restart": "restart",
  "button.power_cycle": "power_cycle",
};

// The account's own sensors, in the order the Devices card shows them: how
// many devices are offline now, then the household's outages today.
// (Names in English only where the frontend has no translation for them.)
const ACCOUNT = {
  devices_offline: "Devices offline",
  household_outages: "Household outages today",
  household_outage_minutes: "Household outage minutes today",
};
const ACCOUNT_ORDER = Object.keys(ACCOUNT);

// Our devices, each with its entities by kind, sorted by name; and the
// account's sensors, each with its kind.
export function findDevices(hass) {
  const devices = new Map();
  const account = [];
  for (const entity of Object.values(hass.entities || {})) {
    if (entity.platform !== DOMAIN || entity.hidden) continue;
    // Disabled entities are not in the registry the frontend holds, but an
    // entity may have no state yet.
    if (!hass.states[entity.entity_id]) continue;
    const domain = entity.entity_id.split(".")[0];
    const kind = KINDS[`${domain}.${entity.translation_key}`];
    if (!kind) continue;
    if (kind in ACCOUNT) {
      account.push({ kind, entity: entity.entity_id });
      continue;
    }
    const device = hass.devices?.[entity.device_id];
    if (!device) continue;
    if (!devices.has(device.id)) {
      devices.set(device.id, {
        id: device.id,
        name: device.name_by_user || device.name || entity.entity_id,
        entities: {},
      });
    }
    devices.get(device.id).entities[kind] = entity.entity_id;
  }
  const sorted = [...devices.values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  account.sort(
    (a, b) =>
      ACCOUNT_ORDER.indexOf(a.kind) - ACCOUNT_ORDER.indexOf(b.kind) ||
      a.entity.localeCompare(b.entity),
  );
  return { devices: sorted, account };
}

function entityName(hass, platform, key, fallback) {
  const name = hass.localize?.(
    `component.${DOMAIN}.entity.${platform}.${key}.name`,
  );
  return name || fallback;
}

function pressRow(entityId, icon, name, label, confirmation) {
  const row = {
    type: "button",
    icon,
    name,
    action_name: label,
    tap_action: {
      action: "perform-action",
      perform_action: "button.press",
      target: { entity_id: entityId },
    },
  };
  if (confirmation) row.tap_action.confirmation = { text: confirmation };
  return row;
}

function powerCycleConfirmation(t, device) {
  // A function, not the name itself: in a replacement string "$&" and "$'"
  // would stand for parts of the text, and a name may hold them.
  return t.power_cycle_confirm.replace("{device}", () => device.name);
}

function notNothing(entityId) {
  return { condition: "state", entity: entityId, state_not: NOTHING_TO_DO };
}

// One card per device whose suggested fix is not "nothing to do": shown
// while it is so (it disappears as soon as the fix worked).
function needsYouCard(hass, t, device) {
  const fix = device.entities.fix;
  const rows = [
    {
      entity: fix,
      name: entityName(hass, "sensor", "suggested_fix", "Suggested fix"),
      secondary_info: "last-changed",
    },
  ];
  const restartLabel = entityName(hass, "button", "restart", "Restart");
  const powerCycleLabel = entityName(hass, "button", "power_cycle", "Power cycle");
  const restart = device.entities.restart;
  if (restart) {
    rows.push({
      type: "conditional",
      conditions: [{ entity: fix, state: "restart" }],
      row: pressRow(restart, "mdi:restart", restartLabel, restartLabel),
    });
  }
  const powerCycle = device.entities.power_cycle;
  if (powerCycle) {
    rows.push({
      type: "conditional",
      conditions: [{ entity: fix, state: "power_cycle" }],
      row: pressRow(
        powerCycle,
        "mdi:power-cycle",
        powerCycleLabel,
        powerCycleLabel,
        powerCycleConfirmation(t, device),
      ),
    });
  }
  rows.push({
    type: "conditional",
    conditions: [{ entity: fix, state: "sign_in_again" }],
    row: {
      type: "button",
      icon: "mdi:account-key-outline",
      name: t.sign_in,
      action_name: t.open,
      tap_action: {
        action: "navigate",
        navigation_path: `/config/integrations/integration/${DOMAIN}`,
      },
    },
  });
  rows.push({
    type: "conditional",
    conditions: [{ entity: fix, state_not: "sign_in_again" }],
    row: {
      type: "button",
      icon: "mdi:wrench-outline",
      name: t.repair,
      action_name: t.open,
      tap_action: { action: "navigate", navigation_path: "/config/repairs" },
    },
  });
  return {
    type: "conditional",
    conditions: [notNothing(fix)],
    card: { type: "entities", title: device.name, entities: rows },
  };
}

function needsYou(hass, t, devices) {
  const withFix = devices.filter((device) => device.entities.fix);
  return {
    type: "vertical-stack",
    cards: [
      { type: "heading", heading: t.needs_you, heading_style: "title" },
      ...withFix.map((device) => needsYouCard(hass, t, device)),
      {
        type: "conditional",
        conditions: withFix.map((device) => ({
          condition: "state",
          entity: device.entities.fix,
          state: NOTHING_TO_DO,
        })),
        card: { type: "markdown", content: t.nothing },
      },
    ],
  };
}

function named(devices, kind) {
  return devices
    .filter((device) => device.entities[kind])
    .map((device) => ({ entity: device.entities[kind], name: device.name }));
}

function statistics(title, entities) {
  return {
    type: "statistics-graph",
    title,
    days_to_show: 7,
    period: "day",
    chart_type: "bar",
    stat_types: ["change"],
    entities,
  };
}

function health(hass, t, devices, account) {
  const cards = [
    {
      type: "entities",
      title: t.devices,
      state_color: true,
      entities: [
        // Not prefixed with the account's device, the masked login. A
        // household outage counts here, not as every device's drop-off.
        ...account.map(({ kind, entity }) => ({
          entity,
          name: entityName(hass, "sensor", kind, ACCOUNT[kind]),
        })),
        ...named(devices, "connectivity").map((row) => ({
          ...row,
          secondary_info: "last-changed",
        })),
      ],
    },
  ];
  const drops = named(devices, "drops");
  if (drops.length) {
    // Rows, not a glance: a glance's columns cut names short.
    cards.push({ type: "entities", title: t.drop_offs, entities: drops });
  }
  const connectivity = named(devices, "connectivity");
  if (connectivity.length) {
    cards.push({
      type: "history-graph",
      title: t.connectivity,
      hours_to_show: 24,
      entities: connectivity,
    });
  }
  if (drops.length) cards.push(statistics(t.drop_offs_per_day, drops));
  const offline = named(devices, "offline");
  if (offline.length) cards.push(statistics(t.offline_per_day, offline));
  // Each row names its device; the button says what it does.
  const restartLabel = entityName(hass, "button", "restart", "Restart");
  const powerCycleLabel = entityName(hass, "button", "power_cycle", "Power cycle");
  const resets = [];
  for (const device of devices) {
    if (device.entities.restart) {
      resets.push(
        pressRow(device.entities.restart, "mdi:restart", device.name, restartLabel),
      );
    }
    if (device.entities.power_cycle) {
      resets.push(
        pressRow(
          device.entities.power_cycle,
          "mdi:power-cycle",
          device.name,
          powerCycleLabel,
          powerCycleConfirmation(t, device),
        ),
      );
    }
  }
  if (resets.length) {
    cards.push({ type: "entities", title: t.resets, entities: resets });
  }
  return cards;
}

export class AlexaCareStrategy {
  // What the Add dashboard dialog fills in.
  static getCreateSuggestions(hass) {
    const t = texts(hass?.locale?.language || hass?.language);
    return { title: t.title, icon: "mdi:heart-pulse" };
  }

  static async generate(config, hass) {
    const t = texts(hass.locale?.language || hass.language);
    const { devices, account } = findDevices(hass);
    return {
      title: t.title,
      views: [
        {
          title: t.title,
          path: "alexa-care",
          icon: "mdi:heart-pulse",
          cards: [needsYou(hass, t, devices), ...health(hass, t, devices, account)],
        },
      ],
    };
  }
}

// In a browser, register with the frontend; under node (the tests), only export.
if (typeof customElements !== "undefined") {
  const tag = "ll-strategy-dashboard-alexa-care";
  if (!customElements.get(tag)) {
    customElements.define(
      tag,
      class extends HTMLElement {
        static generate(config, hass) {
          return AlexaCareStrategy.generate(config, hass);
        }

        static getCreateSuggestions(hass) {
          return AlexaCareStrategy.getCreateSuggestions(hass);
        }
      },
    );
  }
  // Offered in Settings → Dashboards → Add dashboard.
  window.customStrategies = window.customStrategies || [];
  if (!window.customStrategies.some((known) => known.type === "alexa-care")) {
    const t = texts(navigator.language);
    window.customStrategies.push({
      type: "alexa-care",
      strategyType: "dashboard",
      name: t.title,
      description: t.description,
      documentationURL: "https://github.com/alexa-care/alexa_care#health-dashboard",
    });
  }
}
