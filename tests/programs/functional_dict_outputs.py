"""Multi-input, multi-output functional model with outputs as a dict (Keras 3 guide "The Functional API")."""
import numpy as np
import keras
from keras import layers

num_tags = 12  # Number of unique issue tags
num_words = 100  # Size of vocabulary obtained when preprocessing text data
num_departments = 4  # Number of departments for predictions

title_input = keras.Input(shape=(None,), name="title")  # Variable-length sequence of ints
body_input = keras.Input(shape=(None,), name="body")  # Variable-length sequence of ints
tags_input = keras.Input(shape=(num_tags,), name="tags")  # Binary vectors of size `num_tags`

# Embed each word in the title into a 16-dimensional vector
title_features = layers.Embedding(num_words, 16)(title_input)
# Embed each word in the text into a 16-dimensional vector
body_features = layers.Embedding(num_words, 16)(body_input)

# Reduce sequence of embedded words in the title into a single 32-dimensional vector
title_features = layers.LSTM(32)(title_features)
# Reduce sequence of embedded words in the body into a single 16-dimensional vector
body_features = layers.LSTM(16)(body_features)

# Merge all available features into a single large vector via concatenation
x = layers.concatenate([title_features, body_features, tags_input])

# Stick a logistic regression for priority prediction on top of the features
priority_pred = layers.Dense(1, name="priority")(x)
# Stick a department classifier on top of the features
department_pred = layers.Dense(num_departments, name="department")(x)

# Instantiate an end-to-end model predicting both priority and department
model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs={"priority": priority_pred, "department": department_pred},
)

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
)

# Dummy input data
title_data = np.random.randint(num_words, size=(128, 10))
body_data = np.random.randint(num_words, size=(128, 20))
tags_data = np.random.randint(2, size=(128, num_tags)).astype("float32")

# Dummy target data
priority_targets = np.random.random(size=(128, 1))
dept_targets = np.random.randint(2, size=(128, num_departments))

history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_targets},
    epochs=2,
    batch_size=32,
    verbose=2,
)
out = model.predict({"title": title_data[:3], "body": body_data[:3], "tags": tags_data[:3]}, verbose=0)
print("priority", out["priority"].shape, "department", out["department"].shape)
print("final loss:", history.history["loss"][-1])
