"""Everything callflow says to callers in its own words, in each language it ships (English and Spanish).

A line's script may override any of them under `messages:` and translate them under `translations:`; a line in
a language callflow does not ship must give every one (the linter names each missing translation). They are
grouped by who says them: the IVR engine, the hold manager, callbacks, and what follows a call; placeholders in
braces are filled in by whoever says them, and `{company}` always.
"""

from __future__ import annotations

from collections.abc import Mapping

ENGINE: Mapping[str, str] = {
    "greeting": (
        "Thank you for calling {company}. I'm the automated assistant, and I'll get you to the right person."
    ),
    "greeting_known": (
        "Hello {name}, thank you for calling {company}. "
        "I'm the automated assistant, and I'll get you to the right person."
    ),
    "continue_offer": (
        "Last time you spoke to our {department} team. To continue with them, press 1 or say yes. "
        "For anything else, press 2 or say no."
    ),
    "option": "For {label}, press {key}.",
    "no_input": "Sorry, I didn't hear anything.",
    "invalid": "Sorry, that isn't one of the options.",
    "not_understood": (
        "Sorry, I didn't understand that. In a few words, tell me what you're calling about, "
        "for example {examples}."
    ),
    "keypad_fallback": (
        "I'm sorry, I still couldn't work that out. Let's use the keypad: press or say the number you want. "
        "To speak to someone, press 0."
    ),
    "confirm": (
        "Is this about {first_topic}, or about {second_topic}? Press 1 for {first}, or 2 for {second}."
    ),
    "confirm_neither": (
        "Sorry about that. In a few words, tell me what you're calling about. To speak to someone, press 0."
    ),
    "route": "I'll put you through to {department}.",
    "safe_route": "Let me put you through to someone who can help.",
    "closed": "{department} is closed now.",
    "opens": "We open again {when}.",
    "callback": "We can call you back when we open.",
    # A closed department's offer, so nobody on the line is told to ring back: what is open now, then the
    # callback and the message.
    "open_now": "{department} is open now: for {topic}, press {key}.",
    "callback_choices": "To be called back on this number when we open, press 1. To choose the time of the call, "
                        "press 3.",
    "message_choice": "Or stay on the line to leave a message.",
    "voicemail": "Please leave a message after the tone, and we'll call you back.",
    "voicemail_thanks": "Thank you. We have your message and will call you back.",
    "dial": "Connecting you now.",
    "goodbye": "Thank you for calling {company}. Goodbye.",
    # On a line of several languages, said after the greeting in each other language's own voice.
    "language_choice": "For English, press {key}.",
}
"""Everything the engine says that is not in a menu."""

ENGINE_ES: Mapping[str, str] = {
    "greeting": "Gracias por llamar a {company}. Soy el asistente automático y le comunicaré con la persona indicada.",
    "greeting_known": (
        "Hola, {name}. Gracias por llamar a {company}. "
        "Soy el asistente automático y le comunicaré con la persona indicada."
    ),
    "continue_offer": (
        "La última vez habló con nuestro equipo de {department}. Para seguir con ellos, oprima 1 o diga sí. "
        "Para otra cosa, oprima 2 o diga no."
    ),
    "option": "Para {label}, oprima {key}.",
    "no_input": "Disculpe, no escuché nada.",
    "invalid": "Disculpe, esa no es una de las opciones.",
    "not_understood": (
        "Disculpe, no le entendí. En pocas palabras, dígame el motivo de su llamada, por ejemplo {examples}."
    ),
    "keypad_fallback": (
        "Lo siento, todavía no logro entenderle. Usemos el teclado: oprima o diga el número que desea. "
        "Para hablar con una persona, oprima 0."
    ),
    "confirm": "¿Se trata de {first_topic} o de {second_topic}? Oprima 1 para {first} o 2 para {second}.",
    "confirm_neither": (
        "Disculpe. En pocas palabras, dígame el motivo de su llamada. Para hablar con una persona, oprima 0."
    ),
    "route": "Le comunico con {department}.",
    "safe_route": "Le comunico con alguien que pueda ayudarle.",
    "closed": "{department} está cerrado en este momento.",
    "opens": "Volvemos a abrir {when}.",
    "callback": "Podemos devolverle la llamada cuando abramos.",
    "open_now": "{department} está abierto ahora: para {topic}, oprima {key}.",
    "callback_choices": "Para que le llamemos a este número cuando abramos, oprima 1. Para elegir la hora de la "
                        "llamada, oprima 3.",
    "message_choice": "O permanezca en la línea para dejar un mensaje.",
    "voicemail": "Por favor, deje un mensaje después del tono y le devolveremos la llamada.",
    "voicemail_thanks": "Gracias. Recibimos su mensaje y le devolveremos la llamada.",
    "dial": "Le estamos comunicando.",
    "goodbye": "Gracias por llamar a {company}. Adiós.",
    "language_choice": "Para español, oprima {key}.",
}
"""The engine's words in Spanish."""


HOLD: Mapping[str, str] = {
    # why the caller waits, said before every estimate
    "hold_busy": "All our {department} advisers are helping other customers.",
    "hold_ask": (
        "Your wait should be {wait}. Would you like to hold, or shall we call you back when it's your turn? "
        "Press 1 or say 'hold'. Press 2 or say 'call me back'."
    ),
    "hold_again": "Sorry, I didn't catch that.",
    "hold_short": "You should be through in {wait}. Please hold.",
    "hold_accepted": "Thank you. I'll keep your place in line.",
    "hold_update": "Thank you for holding.",
    "hold_ahead_one": "There is 1 caller ahead of you.",
    "hold_ahead": "There are {callers} callers ahead of you.",
    "hold_update_wait": "Your wait should be {wait}.",
    "hold_way_out": "To be called back instead, press 2 or say 'call me back'.",
    "hold_connecting": "One moment while I connect you.",
    "hold_ring_unanswered": "I'm sorry, I couldn't connect you just now.",
    "hold_broken": "I'm sorry, your wait is taking longer than I said.",
    "hold_broken_ask": (
        "From where you are in line now, it should be {wait}. Would you like to keep holding, or shall we call you "
        "back when it's your turn? Press 1 or say 'hold'. Press 2 or say 'call me back'."
    ),
    "hold_long": "I'm sorry you have been holding so long.",
    "hold_long_ask": (
        "You can keep holding, or we can call you back when it's your turn, or you can leave a message. Press 1 "
        "or say 'hold' to keep holding. Press 2 or say 'call me back'. Press 3 or say 'leave a message'."
    ),
    "hold_answered": "Thank you for holding. I'm connecting you now.",
    "hold_transferring": "I'm transferring you to {department}. Please stay on the line.",
    "queue_full": "I'm sorry, all our {department} advisers are busy and too many callers are waiting.",
    "queue_full_partner": "I'm putting you through to our partner team.",
    "queue_full_goodbye": "Please call again later. Goodbye.",
    # a wait as it is promised (`callflow/domain/promise_words.py`): "about 4 minutes", "less than 90 seconds"
    "wait_about": "about {duration}",
    "wait_under": "less than {duration}",
    "wait_over_hour": "more than an hour (about {minutes} minutes)",
    "wait_seconds": "{count} seconds",
    "wait_minute": "a minute",
    "wait_minute_half": "a minute and a half",
    "wait_minutes": "{count} minutes",
    "wait_hour": "an hour",
}
"""What the hold manager says: ask before hold and say why, an honest estimate, an apology when it is broken."""

HOLD_ES: Mapping[str, str] = {
    "hold_busy": "Todos nuestros asesores de {department} están atendiendo a otros clientes.",
    "hold_ask": (
        "Su espera debería ser de {wait}. ¿Desea esperar en la línea, o prefiere que le devolvamos la llamada "
        "cuando sea su turno? Oprima 1 o diga 'esperar'. Oprima 2 o diga 'llámenme'."
    ),
    "hold_again": "Disculpe, no le entendí.",
    "hold_short": "Le atenderán en {wait}. Por favor, espere en la línea.",
    "hold_accepted": "Gracias. Le guardo su lugar en la fila.",
    "hold_update": "Gracias por esperar.",
    "hold_ahead_one": "Hay 1 persona antes que usted.",
    "hold_ahead": "Hay {callers} personas antes que usted.",
    "hold_update_wait": "Su espera debería ser de {wait}.",
    "hold_way_out": "Para que le devolvamos la llamada, oprima 2 o diga 'llámenme'.",
    "hold_connecting": "Un momento, le estoy comunicando.",
    "hold_ring_unanswered": "Lo siento, no pude comunicarle en este momento.",
    "hold_broken": "Lo siento, su espera está tardando más de lo que le dije.",
    "hold_broken_ask": (
        "Desde su lugar en la fila, debería ser de {wait}. ¿Desea seguir esperando, o prefiere que le devolvamos "
        "la llamada cuando sea su turno? Oprima 1 o diga 'esperar'. Oprima 2 o diga 'llámenme'."
    ),
    "hold_long": "Lamento que haya tenido que esperar tanto.",
    "hold_long_ask": (
        "Puede seguir esperando, podemos devolverle la llamada cuando sea su turno, o puede dejar un mensaje. "
        "Oprima 1 o diga 'esperar' para seguir esperando. Oprima 2 o diga 'llámenme'. Oprima 3 o diga 'dejar un "
        "mensaje'."
    ),
    "hold_answered": "Gracias por esperar. Le comunico ahora.",
    "hold_transferring": "Le transfiero con {department}. Por favor, permanezca en la línea.",
    "queue_full": "Lo siento, todos nuestros asesores de {department} están ocupados y hay demasiadas personas "
                  "esperando.",
    "queue_full_partner": "Le comunico con nuestro equipo asociado.",
    "queue_full_goodbye": "Por favor, vuelva a llamar más tarde. Adiós.",
    "wait_about": "aproximadamente {duration}",
    "wait_under": "menos de {duration}",
    "wait_over_hour": "más de una hora (unos {minutes} minutos)",
    "wait_seconds": "{count} segundos",
    "wait_minute": "un minuto",
    "wait_minute_half": "un minuto y medio",
    "wait_minutes": "{count} minutos",
    "wait_hour": "una hora",
}
"""The hold manager's words in Spanish."""

# Callbacks: what a caller hears when they ask to be called back, and when we call them.
CALLBACKS: Mapping[str, str] = {
    # booking one, before or during hold
    "callback_booked": "Thank you. We'll call you back on {number} when it's your turn, and you keep your place in "
                       "line.",
    "callback_booked_at": "Thank you. We'll call you back on {number} {when}.",
    "callback_hang_up": "You can hang up now. Goodbye.",
    "callback_more_choices": "To be called on a different number, press 2. To choose the time of the call instead, "
                             "press 3. Otherwise you can hang up now.",
    "callback_goodbye": "Goodbye.",
    "callback_keep_place": "You keep your place in line; please stay on the line.",
    "callback_refused_choices": "To be called back on another number, press 2. To keep holding, press 1.",
    "callback_keep_holding": "To keep holding, press 1.",
    "callback_ask_number": "Please key in the number we should call you back on, including the area code, then "
                           "press hash. For a number in another country, key 0 0 and its country code first.",
    "callback_number_entered": "You entered {number}. To confirm, press 1. To key it again, press 2.",
    # a keyed number read back: its country and its digits as dialled there, or another country's from its plus
    "callback_number_national": "the {country} number {digits}",
    "callback_number_abroad": "plus {digits}",
    # why a number may not be called back (the toll-fraud guard, `callflow/domain/callback_guard.py`)
    "callback_refused_invalid": "I'm sorry, I can't call back that number: it doesn't look like a phone number we "
                                "can reach.",
    "callback_refused_country": "I'm sorry, we can only call back numbers in the countries we serve.",
    "callback_refused_special": "I'm sorry, we can't call back premium-rate or special numbers.",
    "callback_refused_limit": "I'm sorry, that number has already asked for as many callbacks as we can make "
                              "today.",
    # a time of the caller's choosing
    "callback_ask_time": "Please key in the time you'd like us to call you, as four digits in 24-hour time: for "
                         "example 1 5 3 0 for half past three in the afternoon.",
    "callback_time_not_understood": "Sorry, I didn't get a time.",
    "callback_time_closed": "Sorry, we can't call you back at that time because we're closed then.",
    "callback_time_next_open": "We're next open {when}.",
    "callback_time_instead": "We'll call you back when it's your turn instead.",
    "callback_call_when_open": "Please call us again when we're open.",
    "callback_now": "An adviser is free now, so we're calling you back straight away. Goodbye.",
    "callback_leave_message": "Please leave your name and what you need after the tone, and we'll call you back.",
    "callback_booking_failed": "I'm sorry, I couldn't book your callback just now. Please call us again in a few "
                               "minutes. Goodbye.",
    # the callback call, and the SMS when it could not reach them
    "callback_hello": "Hello, this is {company} returning your call about {topic}.",
    "callback_machine": "We'll try you again soon.",
    "callback_agent_gone": "I'm sorry, the adviser who was ready for you has just been called away. We'll call you "
                           "again shortly. Goodbye.",
    "callback_adviser_on_line": "Your adviser is on the line.",
    "callback_connecting": "Connecting you now.",
    "callback_call_failed": "Sorry, we're having a technical problem returning your call. We'll try again "
                            "shortly.",
    "callback_given_up_sms": "{company} tried to call you back and couldn't reach you. Please call us again when it "
                             "suits you.",
}
"""What a caller hears when they ask to be called back, and when we call them (and the SMS when we could not)."""

CALLBACKS_ES: Mapping[str, str] = {
    "callback_booked": "Gracias. Le devolveremos la llamada al {number} cuando sea su turno, y conserva su lugar en "
                       "la fila.",
    "callback_booked_at": "Gracias. Le devolveremos la llamada al {number} {when}.",
    "callback_hang_up": "Ya puede colgar. Adiós.",
    "callback_more_choices": "Para que le llamemos a otro número, oprima 2. Para elegir la hora de la llamada, "
                             "oprima 3. Si no, ya puede colgar.",
    "callback_goodbye": "Adiós.",
    "callback_keep_place": "Conserva su lugar en la fila; por favor, permanezca en la línea.",
    "callback_refused_choices": "Para que le llamemos a otro número, oprima 2. Para seguir esperando, oprima 1.",
    "callback_keep_holding": "Para seguir esperando, oprima 1.",
    "callback_ask_number": "Por favor, marque el número al que debemos devolverle la llamada, con el código de área, "
                           "y luego oprima la tecla de numeral. Para un número de otro país, marque primero 0 0 y "
                           "el código del país.",
    "callback_number_entered": "Usted marcó {number}. Para confirmar, oprima 1. Para marcarlo de nuevo, oprima 2.",
    "callback_number_national": "el número {country} {digits}",
    "callback_number_abroad": "más {digits}",
    "callback_refused_invalid": "Lo siento, no puedo devolver la llamada a ese número: no parece un número de "
                                "teléfono al que podamos llamar.",
    "callback_refused_country": "Lo siento, solo podemos devolver llamadas a números de los países que atendemos.",
    "callback_refused_special": "Lo siento, no podemos devolver llamadas a números de tarifa especial.",
    "callback_refused_limit": "Lo siento, ese número ya pidió todas las devoluciones de llamada que podemos hacer "
                              "hoy.",
    "callback_ask_time": "Por favor, marque la hora a la que desea que le llamemos, con cuatro dígitos en formato "
                         "de 24 horas: por ejemplo, 1 5 3 0 para las tres y media de la tarde.",
    "callback_time_not_understood": "Disculpe, no entendí la hora.",
    "callback_time_closed": "Lo siento, no podemos llamarle a esa hora porque estaremos cerrados.",
    "callback_time_next_open": "Volvemos a abrir {when}.",
    "callback_time_instead": "Le devolveremos la llamada cuando sea su turno.",
    "callback_call_when_open": "Por favor, vuelva a llamarnos cuando estemos abiertos.",
    "callback_now": "Hay un asesor disponible ahora, así que le devolvemos la llamada de inmediato. Adiós.",
    "callback_leave_message": "Por favor, deje su nombre y lo que necesita después del tono, y le devolveremos la "
                              "llamada.",
    "callback_booking_failed": "Lo siento, no pude programar su llamada en este momento. Por favor, vuelva a "
                               "llamarnos en unos minutos. Adiós.",
    "callback_hello": "Hola, le llamamos de {company} para devolverle su llamada sobre {topic}.",
    "callback_machine": "Volveremos a intentarlo pronto.",
    "callback_agent_gone": "Lo siento, el asesor que le esperaba tuvo que atender otro asunto. Le volveremos a "
                           "llamar en breve. Adiós.",
    "callback_adviser_on_line": "Su asesor está en la línea.",
    "callback_connecting": "Le estamos comunicando.",
    "callback_call_failed": "Disculpe, tenemos un problema técnico para devolverle la llamada. Lo intentaremos de "
                            "nuevo en breve.",
    "callback_given_up_sms": "{company} intentó devolverle la llamada y no pudo comunicarse con usted. Por favor, "
                             "llámenos de nuevo cuando le resulte conveniente.",
}
"""Callbacks in Spanish."""

# After the call: the SMS of the agent's promised actions and the survey.
AFTER_CALL: Mapping[str, str] = {
    "sms_actions": "{company}: as promised on your call today: {actions}.",
    "survey_question": "On a scale of 1 to 5, how satisfied were you with your call today? Press a number.",
    "survey_thanks": "Thank you, your answer helps us improve.",
    "survey_goodbye": "Thank you for calling {company}. Goodbye.",
    "survey_failed": "Thank you for calling. Goodbye.",
}
"""What follows the call: the SMS of the actions the agent promised (`{actions}` joined by '; '), the survey."""

AFTER_CALL_ES: Mapping[str, str] = {
    "sms_actions": "{company}: como le prometimos en su llamada de hoy: {actions}.",
    "survey_question": "En una escala del 1 al 5, ¿qué tan satisfecho quedó con su llamada de hoy? Oprima un "
                       "número.",
    "survey_thanks": "Gracias, su respuesta nos ayuda a mejorar.",
    "survey_goodbye": "Gracias por llamar a {company}. Adiós.",
    "survey_failed": "Gracias por llamar. Adiós.",
}
"""What follows the call, in Spanish."""

DEFAULT_MESSAGES: Mapping[str, str] = {**ENGINE, **HOLD, **CALLBACKS, **AFTER_CALL}
"""Everything callflow says in English; a script may override any of them."""

DEFAULT_MESSAGES_ES: Mapping[str, str] = {**ENGINE_ES, **HOLD_ES, **CALLBACKS_ES, **AFTER_CALL_ES}
"""Everything callflow says in Spanish, for a line's Spanish (es-*) language; a script may override any of them."""

BUILT_IN_MESSAGES: Mapping[str, Mapping[str, str]] = {"en": DEFAULT_MESSAGES, "es": DEFAULT_MESSAGES_ES}
"""callflow's own words by base language; a line's other languages must give every message themselves."""
